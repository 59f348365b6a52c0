#include "config/config_file.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

namespace {

using concierge::config::ConfigError;
using concierge::config::ConfigFile;

// The message of the ConfigError that parsing `text` throws, or a failure when nothing is thrown.
std::string parse_error(const std::string& text, const std::string& origin = "test.conf") {
    try {
        ConfigFile::parse(text, origin);
    } catch (const ConfigError& e) {
        return e.what();
    }
    ADD_FAILURE() << "no ConfigError for:\n" << text;
    return {};
}

class TempDir {
public:
    TempDir() {
        std::string pattern = (std::filesystem::temp_directory_path() / "config-test-XXXXXX").string();
        if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
        path_ = pattern;
    }
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

TEST(ConfigFileParse, TopLevelKeyIsStoredUnderItsBareName) {
    const auto config = ConfigFile::parse("output = json\n", "t");
    EXPECT_EQ(config.get("output"), "json");
    EXPECT_EQ(config.entries().size(), 1u);
}

TEST(ConfigFileParse, KeysInASectionAreNamedSectionDotKey) {
    const auto config = ConfigFile::parse("output = table\n[zabbix]\napi-host = https://zbx.example/\nuser = Admin\n", "t");
    EXPECT_EQ(config.get("output"), "table");
    EXPECT_EQ(config.get("zabbix.api-host"), "https://zbx.example/");
    EXPECT_EQ(config.get("zabbix.user"), "Admin");
    EXPECT_FALSE(config.get("api-host").has_value());
    EXPECT_FALSE(config.get("user").has_value());
}

TEST(ConfigFileParse, EachSectionKeepsItsOwnKeys) {
    const auto config = ConfigFile::parse("[a]\nx = 1\n[b]\nx = 2\n", "t");
    EXPECT_EQ(config.get("a.x"), "1");
    EXPECT_EQ(config.get("b.x"), "2");
}

TEST(ConfigFileParse, SectionHeaderMayHaveSpacesInsideTheBrackets) {
    const auto config = ConfigFile::parse("[ zabbix ]\nuser = a\n", "t");
    EXPECT_EQ(config.get("zabbix.user"), "a");
}

TEST(ConfigFileParse, SurroundingWhitespaceOfKeysAndValuesIsTrimmed) {
    const auto config = ConfigFile::parse("   key\t=\t  value with spaces   \r\n", "t");
    EXPECT_EQ(config.get("key"), "value with spaces");
}

TEST(ConfigFileParse, QuotedValueLosesItsQuotesAndKeepsHashAndSpaces) {
    const auto config = ConfigFile::parse("user = \"Admin\"\npassword = \"a #b; c\"\npadded = \"  x  \"\n", "t");
    EXPECT_EQ(config.get("user"), "Admin");
    EXPECT_EQ(config.get("password"), "a #b; c");
    EXPECT_EQ(config.get("padded"), "  x  ");
}

TEST(ConfigFileParse, InlineCommentAfterABareValueIsDropped) {
    const auto config = ConfigFile::parse("output = json   # the machine format\n", "t");
    EXPECT_EQ(config.get("output"), "json");
}

TEST(ConfigFileParse, HashWithoutPrecedingSpaceIsPartOfABareValue) {
    const auto config = ConfigFile::parse("url = https://host/page#anchor\n", "t");
    EXPECT_EQ(config.get("url"), "https://host/page#anchor");
}

TEST(ConfigFileParse, EmptyValueIsAllowed) {
    const auto config = ConfigFile::parse("empty =\n", "t");
    EXPECT_EQ(config.get("empty"), "");
}

TEST(ConfigFileParse, ValueMayContainEqualsSigns) {
    const auto config = ConfigFile::parse("query = a=b=c\n", "t");
    EXPECT_EQ(config.get("query"), "a=b=c");
}

TEST(ConfigFileParse, LaterLinesOverrideEarlierOnes) {
    const auto config = ConfigFile::parse("output = table\noutput = json\n[s]\nk = 1\n[t]\nk = 9\n[s]\nk = 2\n", "t");
    EXPECT_EQ(config.get("output"), "json");
    EXPECT_EQ(config.get("s.k"), "2");
    EXPECT_EQ(config.get("t.k"), "9");
}

TEST(ConfigFileParse, CommentsAndBlankLinesAreIgnored) {
    const auto config = ConfigFile::parse("# a comment = not a key\n; another = no\n\n   \n\t# indented\nkey = v\n", "t");
    EXPECT_EQ(config.entries().size(), 1u);
    EXPECT_EQ(config.get("key"), "v");
}

TEST(ConfigFileParse, EmptyTextGivesEmptyConfig) {
    EXPECT_TRUE(ConfigFile::parse("", "t").entries().empty());
}

TEST(ConfigFileParse, GetOfAnUnknownKeyIsEmpty) {
    EXPECT_FALSE(ConfigFile::parse("a = 1\n", "t").get("b").has_value());
}

TEST(ConfigFileErrors, LineWithoutEqualsIsAnErrorNamingOriginAndLine) {
    const auto message = parse_error("# fine\noutput = json\njust some words\n", "/etc/concierge/config");
    EXPECT_NE(message.find("/etc/concierge/config:3"), std::string::npos) << message;
    EXPECT_NE(message.find("key = value"), std::string::npos) << message;
}

TEST(ConfigFileErrors, SectionHeaderWithoutClosingBracketIsAnError) {
    const auto message = parse_error("a = 1\n[zabbix\n", "my.conf");
    EXPECT_NE(message.find("my.conf:2"), std::string::npos) << message;
    EXPECT_NE(message.find("]"), std::string::npos) << message;
}

TEST(ConfigFileErrors, EmptySectionNameIsAnError) {
    const auto message = parse_error("[]\n", "my.conf");
    EXPECT_NE(message.find("my.conf:1"), std::string::npos) << message;
}

TEST(ConfigFileErrors, SectionNameWithInvalidCharactersIsAnError) {
    const auto message = parse_error("\n\n[bad name!]\n", "my.conf");
    EXPECT_NE(message.find("my.conf:3"), std::string::npos) << message;
    EXPECT_NE(message.find("bad name!"), std::string::npos) << message;
}

TEST(ConfigFileErrors, InvalidKeyIsAnErrorQuotingTheKey) {
    const auto message = parse_error("ok = 1\nbad key = 2\n", "c");
    EXPECT_NE(message.find("c:2"), std::string::npos) << message;
    EXPECT_NE(message.find("bad key"), std::string::npos) << message;
}

TEST(ConfigFileErrors, EmptyKeyIsAnError) {
    const auto message = parse_error("= value\n", "c");
    EXPECT_NE(message.find("c:1"), std::string::npos) << message;
}

TEST(ConfigFileErrors, LineNumbersCountCommentAndBlankLines) {
    const auto message = parse_error("# 1\n\n; 3\n[s]\nk = v\noops\n", "f");
    EXPECT_NE(message.find("f:6"), std::string::npos) << message;
}

TEST(ConfigFileLoad, MissingFileGivesAnEmptyConfig) {
    TempDir dir;
    const auto config = ConfigFile::load(dir.path() / "does-not-exist");
    EXPECT_TRUE(config.entries().empty());
}

TEST(ConfigFileLoad, ReadsTheFileAndParsesIt) {
    TempDir dir;
    const auto path = dir.path() / "config";
    std::ofstream(path) << "output = json\n[zabbix]\nuser = \"Admin\"\n";
    const auto config = ConfigFile::load(path);
    EXPECT_EQ(config.get("output"), "json");
    EXPECT_EQ(config.get("zabbix.user"), "Admin");
}

TEST(ConfigFileLoad, MalformedFileErrorNamesThePathAndLine) {
    TempDir dir;
    const auto path = dir.path() / "config";
    std::ofstream(path) << "output = json\nbroken\n";
    try {
        ConfigFile::load(path);
        FAIL() << "no ConfigError";
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find(path.string() + ":2"), std::string::npos) << e.what();
    }
}

// The message of the ConfigError that loading `path` throws.
std::string load_error(const std::filesystem::path& path) {
    try {
        ConfigFile::load(path);
    } catch (const ConfigError& e) {
        return e.what();
    }
    ADD_FAILURE() << "no ConfigError for " << path;
    return {};
}

TEST(ConfigFileErrors, AControlCharacterIsRefusedNamingLineAndColumn) {
    EXPECT_EQ(parse_error("output = json\n[zabbix]\nuser = a\x1b[31mb\n", "f"),
              "f:3: column 9: a control character; is this a text file? (a config file holds 'key = value' lines)");
    EXPECT_EQ(parse_error(std::string("# \0 in a comment\n", 17), "f").rfind("f:1: column 3: a control character", 0), 0u);
    EXPECT_EQ(ConfigFile::parse("a =\t1\r\n", "f").get("a"), "1");  // tabs and CRLF are text
}

TEST(ConfigFileLoad, ABinaryFileIsRefusedNamingThePathAndLine) {
    TempDir dir;
    const auto path = dir.path() / "config";
    std::ofstream(path, std::ios::binary) << std::string("SQLite format 3\0\x10\x00", 18);
    EXPECT_EQ(load_error(path).rfind(path.string() + ":1: column 16: a control character", 0), 0u) << load_error(path);
}

TEST(ConfigFileLoad, ADirectoryIsRefusedByName) {
    TempDir dir;
    EXPECT_EQ(load_error(dir.path()),
              dir.path().string() + ": the config file is a directory; name a file with --config or CONCIERGE_CONFIG");
}

TEST(ConfigFileLoad, AFifoIsRefusedWithoutBlocking) {
    TempDir dir;
    const auto path = dir.path() / "config";
    ASSERT_EQ(mkfifo(path.c_str(), 0600), 0);
    alarm(10);  // a read that blocks kills the test rather than hanging it
    EXPECT_EQ(load_error(path), path.string() + ": the config file is not a regular file; name a file with --config or CONCIERGE_CONFIG");
    alarm(0);
}

TEST(ConfigFileLoad, AFileLargerThan1MiBIsRefusedWithoutBeingRead) {
    TempDir dir;
    const auto path = dir.path() / "config";
    std::ofstream(path) << "output = json\n";
    ASSERT_EQ(truncate(path.c_str(), off_t{10} << 30), 0);  // sparse: 10 GiB that take no disk
    EXPECT_EQ(load_error(path), path.string() + ": the config file is 10737418240 bytes, more than the 1024 KiB a config "
                                                "file may be; is it the config file?");
    ASSERT_EQ(truncate(path.c_str(), ConfigFile::max_bytes), 0);  // at the cap: read (the NULs then refused as binary)
    EXPECT_NE(load_error(path).find(path.string() + ":2: column 1: a control character"), std::string::npos);
}

TEST(ConfigFileLoad, APathThroughAFileIsRefusedSayingWhy) {
    TempDir dir;
    std::ofstream(dir.path() / "file") << "output = json\n";
    EXPECT_EQ(load_error(dir.path() / "file" / "config"),
              (dir.path() / "file" / "config").string() + ": cannot read the config file: Not a directory");
}

TEST(ConfigFileLoad, AnUnreadableFileIsRefusedSayingWhy) {
    if (geteuid() == 0) GTEST_SKIP() << "root reads every file";
    TempDir dir;
    const auto path = dir.path() / "config";
    std::ofstream(path) << "output = json\n";
    std::filesystem::permissions(path, std::filesystem::perms::none);
    EXPECT_EQ(load_error(path), path.string() + ": cannot read the config file: Permission denied");
}

TEST(ConfigFile, SecretKeysAreThoseNamingAPasswordTokenOrSecret) {
    const auto config = ConfigFile::parse("output = json\n[zabbix]\npassword = x\ntoken = y\nuser = u\npassword-file = /p\n"
                                          "[docker]\ninventory-key-field = notes\n[x]\napi-secret = z\n",
                                          "test");
    EXPECT_EQ(config.secret_keys(), (std::vector<std::string>{"x.api-secret", "zabbix.password", "zabbix.token"}));
}

}  // namespace

#include "plugin_loader/plugin_loader.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

namespace fs = std::filesystem;
using concierge::plugin_loader::check_descriptor;
using concierge::plugin_loader::discover;
using concierge::plugin_loader::find;
using concierge::plugin_loader::ignored_path_entries;
using concierge::plugin_loader::load;
using concierge::plugin_loader::LoadedPlugin;
using concierge::plugin_loader::PluginFile;
using concierge::plugin_loader::Refusal;
using concierge::plugin_loader::search_path;
using concierge::plugin_loader::trust_problem;
using concierge::plugin_loader::untrusted_because;
using concierge::plugin_loader::valid_plugin_name;
using concierge::sdk::OptionType;

const fs::path kFixtures = FIXTURE_PLUGIN_DIR;

fs::path fixture(const std::string& name) { return kFixtures / ("concierge-" + name + ".so"); }

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// The refusal's reason; a test failure when the plugin was loaded instead.
std::string refusal_of(const std::string& name, const std::string& expected_name) {
    auto result = load(fixture(name), expected_name);
    if (const auto* refusal = std::get_if<Refusal>(&result)) {
        EXPECT_EQ(refusal->reason.find('\n'), std::string::npos) << "not one line: " << refusal->reason;
        EXPECT_FALSE(refusal->reason.empty());
        if (!refusal->reason.empty()) {
            EXPECT_NE(refusal->reason.back(), '.') << refusal->reason;
        }
        return refusal->reason;
    }
    ADD_FAILURE() << name << " was loaded, not refused";
    return {};
}

class TempDir {
public:
    TempDir() {
        std::string pattern = (fs::temp_directory_path() / "plugin-loader-test-XXXXXX").string();
        if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
        path_ = pattern;
    }
    ~TempDir() {
        std::error_code ignored;
        fs::remove_all(path_, ignored);
    }
    const fs::path& path() const { return path_; }
    fs::path operator/(const std::string& name) const { return path_ / name; }

private:
    fs::path path_;
};

void touch(const fs::path& path) { std::ofstream(path) << "x"; }
void copy_good(const fs::path& to) { fs::copy_file(fixture("fixture-good"), to); }

// --- load -----------------------------------------------------------------------------------------

TEST(Load, GoodPluginLoadsWithItsDescriptorAndOptions) {
    auto result = load(fixture("fixture-good"), "fixture-good");
    auto* plugin = std::get_if<LoadedPlugin>(&result);
    ASSERT_NE(plugin, nullptr) << std::get<Refusal>(result).reason;
    EXPECT_EQ(plugin->name, "fixture-good");
    EXPECT_EQ(plugin->version, "1.2.3");
    EXPECT_EQ(plugin->summary, "A well-behaved fixture");
    EXPECT_EQ(plugin->abi_major, 1u);
    EXPECT_EQ(plugin->abi_minor, static_cast<std::uint32_t>(CONCIERGE_SDK_ABI_MINOR));
    EXPECT_EQ(plugin->path, fixture("fixture-good"));
    ASSERT_NE(plugin->instance, nullptr);

    std::vector<std::string> names;
    for (const auto& spec : plugin->options) names.push_back(spec.name);
    EXPECT_EQ(names, (std::vector<std::string>{"target", "count", "label", "password", "delay", "loud", "fail-with", "artifact",
                                               "api-secret"}));
    ASSERT_EQ(plugin->options.size(), 9u);
    EXPECT_FALSE(plugin->options[8].from_command_line);
    const auto& target = plugin->options[0];
    EXPECT_TRUE(target.required);
    EXPECT_TRUE(target.positional);
    const auto& count = plugin->options[1];
    EXPECT_EQ(count.short_name, 'c');
    EXPECT_EQ(count.type, OptionType::Integer);
    EXPECT_EQ(count.default_value, "1");
    const auto& password = plugin->options[3];
    EXPECT_TRUE(password.secret);
    EXPECT_EQ(password.env, "FIXTURE_PASSWORD");
    EXPECT_EQ(plugin->options[4].type, OptionType::Duration);
    EXPECT_EQ(plugin->options[5].type, OptionType::Flag);
}

TEST(Load, SameLibraryCanBeLoadedTwice) {
    auto first = load(fixture("fixture-good"), "fixture-good");
    auto second = load(fixture("fixture-good"), "fixture-good");
    ASSERT_TRUE(std::holds_alternative<LoadedPlugin>(first));
    ASSERT_TRUE(std::holds_alternative<LoadedPlugin>(second));
    EXPECT_EQ(std::get<LoadedPlugin>(second).version, "1.2.3");
}

TEST(Load, PluginThatThrowsOnlyWhenRunStillLoads) {
    auto result = load(fixture("fixture-throws"), "fixture-throws");
    ASSERT_TRUE(std::holds_alternative<LoadedPlugin>(result)) << std::get<Refusal>(result).reason;
    EXPECT_EQ(std::get<LoadedPlugin>(result).name, "fixture-throws");
}

TEST(Load, WrongAbiMajorIsRefusedWithRebuildAdvice) {
    const auto reason = refusal_of("fixture-wrong-abi", "fixture-wrong-abi");
    EXPECT_TRUE(contains(reason, "ABI 99.0")) << reason;
    EXPECT_TRUE(contains(reason, "ABI 1." + std::to_string(CONCIERGE_SDK_ABI_MINOR))) << reason;
    EXPECT_TRUE(contains(reason, "rebuild")) << reason;
}

TEST(Load, NewerAbiMinorIsRefusedWithUpgradeAdvice) {
    const auto reason = refusal_of("fixture-newer-minor", "fixture-newer-minor");
    EXPECT_TRUE(contains(reason, "ABI 1.999")) << reason;
    EXPECT_TRUE(contains(reason, "upgrade concierge")) << reason;
}

TEST(Load, ForeignToolchainIsRefusedNamingBothToolchains) {
    const auto reason = refusal_of("fixture-foreign-toolchain", "fixture-foreign-toolchain");
    EXPECT_TRUE(contains(reason, "toolchain")) << reason;
    EXPECT_TRUE(contains(reason, "libc++/riscv64")) << reason;
    EXPECT_TRUE(contains(reason, CONCIERGE_SDK_TOOLCHAIN)) << reason;
    EXPECT_TRUE(contains(reason, "rebuild")) << reason;
}

TEST(Load, LibraryWithoutEntryPointIsRefusedNamingTheSymbol) {
    const auto reason = refusal_of("fixture-no-entry", "fixture-no-entry");
    EXPECT_TRUE(contains(reason, CONCIERGE_PLUGIN_ENTRY_SYMBOL)) << reason;
    EXPECT_TRUE(contains(reason, "CONCIERGE_PLUGIN")) << reason;
}

TEST(Load, FileThatIsNotALibraryCannotBeLoaded) {
    const auto reason = refusal_of("fixture-garbage", "fixture-garbage");
    EXPECT_TRUE(reason.starts_with("cannot load")) << reason;
}

TEST(Load, MissingFileCannotBeLoaded) {
    TempDir dir;
    auto result = load(dir / "concierge-nothing.so", "nothing");
    ASSERT_TRUE(std::holds_alternative<Refusal>(result));
    EXPECT_TRUE(std::get<Refusal>(result).reason.starts_with("cannot load")) << std::get<Refusal>(result).reason;
}

TEST(Load, MisnamedPluginIsRefusedNamingBothNames) {
    const auto reason = refusal_of("fixture-misnamed", "fixture-misnamed");
    EXPECT_TRUE(contains(reason, "'fixture-misnamed'")) << reason;
    EXPECT_TRUE(contains(reason, "'fixture-other'")) << reason;
    EXPECT_TRUE(contains(reason, "concierge-fixture-other.so")) << reason;
}

TEST(Load, GoodLibraryUnderAnotherNameIsRefused) {
    TempDir dir;
    copy_good(dir / "concierge-renamed.so");
    auto result = load(dir / "concierge-renamed.so", "renamed");
    ASSERT_TRUE(std::holds_alternative<Refusal>(result));
    EXPECT_TRUE(contains(std::get<Refusal>(result).reason, "fixture-good"));
}

// --- trust -----------------------------------------------------------------------------------------

TEST(Trust, WritableByGroupOrOthersIsRefusedWithTheChmodThatFixesIt) {
    const uid_t me = getuid();
    EXPECT_EQ(untrusted_because("/p", 040777, me, me), "/p is writable by its group and others; chmod go-w /p");
    EXPECT_EQ(untrusted_because("/p/x.so", 0100666, me, me), "/p/x.so is writable by its group and others; chmod go-w /p/x.so");
    EXPECT_EQ(untrusted_because("/p", 040775, me, me), "/p is writable by its group; chmod go-w /p");
    EXPECT_EQ(untrusted_because("/p", 041757, 0, me), "/p is writable by others; chmod go-w /p") << "sticky /tmp-like too";
}

TEST(Trust, OwnedByAnyoneButRootOrTheUserIsRefused) {
    EXPECT_EQ(untrusted_because("/p", 040755, 4242, 1000), "/p is owned by uid 4242, neither root nor you; only root's or your own plugins are loaded");
    EXPECT_FALSE(untrusted_because("/p", 040755, 0, 1000).has_value()) << "root's";
    EXPECT_FALSE(untrusted_because("/p", 0100755, 1000, 1000).has_value()) << "the user's own";
}

TEST(Trust, LoadRefusesAGroupWritableDirectoryOrOtherWritableFileWithoutOpeningIt) {
    TempDir dir;
    copy_good(dir / "concierge-fixture-good.so");
    ASSERT_TRUE(std::holds_alternative<LoadedPlugin>(load(dir / "concierge-fixture-good.so", "fixture-good")));

    fs::permissions(dir.path(), fs::perms::group_write, fs::perm_options::add);
    auto result = load(dir / "concierge-fixture-good.so", "fixture-good");
    ASSERT_TRUE(std::holds_alternative<Refusal>(result));
    EXPECT_EQ(std::get<Refusal>(result).reason, dir.path().string() + " is writable by its group; chmod go-w " + dir.path().string());

    fs::permissions(dir.path(), fs::perms::group_write, fs::perm_options::remove);
    fs::permissions(dir / "concierge-fixture-good.so", fs::perms::others_write, fs::perm_options::add);
    const auto file = (dir / "concierge-fixture-good.so").string();
    EXPECT_EQ(trust_problem(dir / "concierge-fixture-good.so"), file + " is writable by others; chmod go-w " + file);
}

TEST(Trust, ALinkIsJudgedByWhereItLeads) {
    TempDir safe;
    TempDir open;
    copy_good(open / "concierge-x.so");
    fs::permissions(open.path(), fs::perms::others_write, fs::perm_options::add);
    fs::create_symlink(open / "concierge-x.so", safe / "concierge-x.so");
    EXPECT_EQ(trust_problem(safe / "concierge-x.so"), open.path().string() + " is writable by others; chmod go-w " + open.path().string());
}

// --- check_descriptor -----------------------------------------------------------------------------

concierge::sdk::PluginInstance* create_nothing() noexcept { return nullptr; }

concierge_plugin_descriptor valid_descriptor() {
    return {CONCIERGE_SDK_ABI_MAJOR, CONCIERGE_SDK_ABI_MINOR, CONCIERGE_SDK_TOOLCHAIN, "demo", "0.1.0", "A demo", &create_nothing};
}

TEST(CheckDescriptor, AcceptsAMatchingDescriptor) {
    const auto reason = check_descriptor(valid_descriptor(), "demo");
    EXPECT_FALSE(reason.has_value()) << *reason;
}

TEST(CheckDescriptor, RefusesAnotherMajor) {
    auto d = valid_descriptor();
    d.abi_major = CONCIERGE_SDK_ABI_MAJOR + 1;
    const auto reason = check_descriptor(d, "demo");
    ASSERT_TRUE(reason.has_value());
    EXPECT_TRUE(contains(*reason, "ABI " + std::to_string(CONCIERGE_SDK_ABI_MAJOR + 1) + ".")) << *reason;
    d.abi_major = 0;
    EXPECT_TRUE(check_descriptor(d, "demo").has_value());
}

TEST(CheckDescriptor, RefusesANewerMinorOnly) {
    auto d = valid_descriptor();
    d.abi_minor = CONCIERGE_SDK_ABI_MINOR + 1;
    const auto reason = check_descriptor(d, "demo");
    ASSERT_TRUE(reason.has_value());
    EXPECT_TRUE(contains(*reason, "upgrade concierge")) << *reason;
}

TEST(CheckDescriptor, WrongAbiIsReportedBeforeLookingAtAnyPointer) {
    // A descriptor from another major may have a different layout: only the numbers are trusted.
    const concierge_plugin_descriptor d{CONCIERGE_SDK_ABI_MAJOR + 7, 0, nullptr, nullptr, nullptr, nullptr, nullptr};
    const auto reason = check_descriptor(d, "demo");
    ASSERT_TRUE(reason.has_value());
    EXPECT_TRUE(contains(*reason, "ABI")) << *reason;
}

TEST(CheckDescriptor, RefusesANullOrDifferentToolchain) {
    auto d = valid_descriptor();
    d.toolchain = nullptr;
    auto reason = check_descriptor(d, "demo");
    ASSERT_TRUE(reason.has_value());
    EXPECT_TRUE(contains(*reason, "toolchain")) << *reason;
    EXPECT_TRUE(contains(*reason, "(none)")) << *reason;

    d.toolchain = "libstdc++-cow/x86_64-but-not-really";
    reason = check_descriptor(d, "demo");
    ASSERT_TRUE(reason.has_value());
    EXPECT_TRUE(contains(*reason, "libstdc++-cow/x86_64-but-not-really")) << *reason;
}

TEST(CheckDescriptor, ComparesToolchainTextNotPointer) {
    auto d = valid_descriptor();
    std::string copy = CONCIERGE_SDK_TOOLCHAIN;
    d.toolchain = copy.c_str();
    EXPECT_FALSE(check_descriptor(d, "demo").has_value());
}

TEST(CheckDescriptor, RefusesEachNullField) {
    for (int field = 0; field < 4; ++field) {
        auto d = valid_descriptor();
        if (field == 0) d.name = nullptr;
        if (field == 1) d.version = nullptr;
        if (field == 2) d.summary = nullptr;
        if (field == 3) d.create = nullptr;
        const auto reason = check_descriptor(d, "demo");
        ASSERT_TRUE(reason.has_value()) << "field " << field;
        EXPECT_TRUE(contains(*reason, "incomplete")) << *reason;
    }
}

TEST(CheckDescriptor, RefusesANameOtherThanTheFilePromises) {
    const auto reason = check_descriptor(valid_descriptor(), "other");
    ASSERT_TRUE(reason.has_value());
    EXPECT_TRUE(contains(*reason, "'other'")) << *reason;
    EXPECT_TRUE(contains(*reason, "'demo'")) << *reason;
    EXPECT_TRUE(contains(*reason, "concierge-demo.so")) << *reason;
}

// --- search_path ----------------------------------------------------------------------------------

const fs::path kExe = "/opt/concierge/bin/concierge";

TEST(SearchPath, WithoutTheVariableOnlyTheInstalledDirectory) {
    const auto path = search_path(nullptr, kExe);
    ASSERT_EQ(path.size(), 1u);
    EXPECT_EQ(search_path("", kExe), path);
}

TEST(SearchPath, InstalledDirectoryIsRelativeToTheExecutableAndNormalised) {
    const auto installed = search_path(nullptr, kExe).back();
    EXPECT_EQ(installed, installed.lexically_normal());
    EXPECT_TRUE(installed.is_absolute()) << installed;
    EXPECT_TRUE(installed.string().starts_with("/opt/concierge/")) << installed;
    EXPECT_FALSE(contains(installed.string(), "..")) << installed;
    EXPECT_EQ(installed.filename(), "plugins") << installed;
    EXPECT_EQ(installed.parent_path().filename(), "concierge") << installed;
    EXPECT_NE(search_path(nullptr, "/elsewhere/bin/concierge").back(), installed);
}

TEST(SearchPath, SplitsTheVariableOnColonsSkippingEmptyAndRelativeEntriesThenAppendsTheInstalledDirectory) {
    const auto installed = search_path(nullptr, kExe).back();
    const auto path = search_path("/a:/b/c::relative/d:./e:", kExe);
    EXPECT_EQ(path, (std::vector<fs::path>{"/a", "/b/c", installed}));
    EXPECT_EQ(ignored_path_entries("/a:/b/c::relative/d:./e:"), (std::vector<std::string>{"relative/d", "./e"}));
    EXPECT_EQ(search_path(":::", kExe), (std::vector<fs::path>{installed}));
    EXPECT_EQ(search_path(":/x", kExe), (std::vector<fs::path>{"/x", installed}));
}

TEST(PluginName, OnlyLowerCaseLettersDigitsAndDashesNameAPlugin) {
    for (const char* good : {"zabbix-backup", "a", "x2"}) EXPECT_TRUE(valid_plugin_name(good)) << good;
    for (const char* bad : {"", "../x", "a/b", "-x", "Zabbix", "a b", "a.so", "..", "x\n"}) EXPECT_FALSE(valid_plugin_name(bad)) << bad;
}

// --- discover and find ----------------------------------------------------------------------------

std::vector<std::string> describe(const std::vector<PluginFile>& files) {
    std::vector<std::string> out;
    for (const auto& file : files)
        out.push_back(file.name + "@" + file.path.parent_path().filename().string() + (file.shadowed ? " shadowed" : ""));
    return out;
}

class DiscoverTest : public ::testing::Test {
protected:
    void SetUp() override {
        fs::create_directory(first / "one");
        fs::create_directory(second / "two");
        copy_good(one() / "concierge-x.so");
        copy_good(one() / "concierge-a.so");
        fs::create_symlink(fixture("fixture-good"), two() / "concierge-x.so");
        copy_good(two() / "concierge-b.so");
        touch(one() / "libfoo.so");
        touch(one() / "concierge-.so");
        touch(one() / "concierge-x.txt");
        touch(one() / "concierge-x.so.1");
        touch(one() / "README");
        fs::create_directory(one() / "concierge-dir.so");
    }
    fs::path one() const { return first / "one"; }
    fs::path two() const { return second / "two"; }

    TempDir first;
    TempDir second;
};

TEST_F(DiscoverTest, ListsPluginsInSearchOrderAndMarksLaterSameNamesShadowed) {
    const auto files = discover({one(), two()});
    EXPECT_EQ(describe(files), (std::vector<std::string>{"a@one", "x@one", "b@two", "x@two shadowed"}));
    ASSERT_EQ(files.size(), 4u);
    EXPECT_EQ(files[1].path, one() / "concierge-x.so");
    EXPECT_EQ(files[3].path, two() / "concierge-x.so");
}

TEST_F(DiscoverTest, OrderOfDirectoriesDecidesWhoIsShadowed) {
    EXPECT_EQ(describe(discover({two(), one()})), (std::vector<std::string>{"b@two", "x@two", "a@one", "x@one shadowed"}));
}

TEST_F(DiscoverTest, MissingDirectoriesAreSkipped) {
    EXPECT_EQ(describe(discover({first / "nope", one(), "/definitely/not/here"})),
              (std::vector<std::string>{"a@one", "x@one"}));
}

TEST_F(DiscoverTest, DirectoryListedTwiceIsListedOnce) {
    EXPECT_EQ(describe(discover({one(), one() / "." , two()})),
              (std::vector<std::string>{"a@one", "x@one", "b@two", "x@two shadowed"}));
}

TEST_F(DiscoverTest, NoDirectoriesNoPlugins) { EXPECT_TRUE(discover({}).empty()); }

TEST_F(DiscoverTest, FindReturnsTheFirstMatchInSearchOrder) {
    EXPECT_EQ(find("x", {one(), two()}), one() / "concierge-x.so");
    EXPECT_EQ(find("x", {two(), one()}), two() / "concierge-x.so");
    EXPECT_EQ(find("b", {one(), two()}), two() / "concierge-b.so");
    EXPECT_FALSE(find("missing", {one(), two()}).has_value());
}

TEST_F(DiscoverTest, FindSkipsDirectoriesAndMissingEntries) {
    EXPECT_FALSE(find("dir", {one()}).has_value());
    copy_good(two() / "concierge-dir.so");
    EXPECT_EQ(find("dir", {first / "nope", one(), two()}), two() / "concierge-dir.so");
}

TEST_F(DiscoverTest, FindDoesNotOpenTheLibrary) {
    // A file that cannot load is still found: find only looks at names.
    touch(one() / "concierge-junk.so");
    EXPECT_EQ(find("junk", {one()}), one() / "concierge-junk.so");
}

}  // namespace

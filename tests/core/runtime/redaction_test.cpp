#include "runtime/redaction.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using concierge::runtime::is_secret_name;
using concierge::runtime::Redactor;
using concierge::sdk::OptionSpec;
using concierge::sdk::OptionType;

using Args = std::vector<std::string>;

// A fake `environ`: NAME=VALUE strings followed by a null pointer.
class EnvBlock {
public:
    explicit EnvBlock(std::vector<std::string> entries) : entries_(std::move(entries)) {
        for (auto& entry : entries_) pointers_.push_back(entry.data());
        pointers_.push_back(nullptr);
    }
    char** get() { return pointers_.data(); }

private:
    std::vector<std::string> entries_;
    std::vector<char*> pointers_;
};

Redactor with_secrets(std::initializer_list<std::string> secrets) {
    Redactor redactor;
    for (const auto& secret : secrets) redactor.add_secret(secret);
    return redactor;
}

// --- is_secret_name -------------------------------------------------------------------------------

TEST(IsSecretName, RecognisesSecretLookingNamesInAnyCaseAndSeparator) {
    for (const char* name : {"password", "ZBX_PASS", "passwd", "api_token", "SECRET", "client-secret", "ssh-key",
                             "apiKey", "Credential", "AWS_CREDENTIALS", "auth", "X-Auth-Header", "db.password"})
        EXPECT_TRUE(is_secret_name(name)) << name;
}

TEST(IsSecretName, LeavesOrdinaryNamesAlone) {
    for (const char* name : {"host", "user", "output", "HOME", "PATH", "replicas", "timeout", "label", "target", ""})
        EXPECT_FALSE(is_secret_name(name)) << name;
}

// --- from_environment -----------------------------------------------------------------------------

TEST(RedactorFromEnvironment, TakesValuesOfSecretNamedVariablesOnly) {
    EnvBlock env({"HOME=/home/alice", "ZBX_PASS=s3cr3t-pass", "USER=alice", "GITHUB_TOKEN=ghp_abcdef", "HOST=db.example"});
    const auto redactor = Redactor::from_environment(env.get());
    EXPECT_EQ(redactor.mask("s3cr3t-pass ghp_abcdef /home/alice alice db.example"), "*** *** /home/alice alice db.example");
}

TEST(RedactorFromEnvironment, ValueMayContainEqualsSigns) {
    EnvBlock env({"DB_PASSWORD=a=b=c=d=e"});
    EXPECT_EQ(Redactor::from_environment(env.get()).mask("x a=b=c=d=e y"), "x *** y");
}

TEST(RedactorFromEnvironment, IgnoresShortValuesAndEntriesWithoutEquals) {
    EnvBlock env({"API_KEY=ab", "SECRET", "PASS="});
    const auto redactor = Redactor::from_environment(env.get());
    EXPECT_EQ(redactor.mask("ab SECRET PASS"), "ab SECRET PASS");
}

TEST(RedactorFromEnvironment, ASecretNamedVariableCountsOnlyFromEightCharacters) {
    EnvBlock env({"ZBX_TOKEN=1", "DEBUG_KEYS=on", "API_KEY=seven77", "DB_PASSWORD=eight888"});
    const auto redactor = Redactor::from_environment(env.get());
    EXPECT_EQ(redactor.mask("1 on seven77 eight888"), "1 on seven77 ***");
}

TEST(RedactorFromEnvironment, NullBlockGivesAnEmptyRedactor) {
    EXPECT_EQ(Redactor::from_environment(nullptr).mask("anything"), "anything");
}

// --- mask -----------------------------------------------------------------------------------------

TEST(RedactorMask, ReplacesEveryOccurrenceOfALongSecretEvenInsideWords) {
    const auto redactor = with_secrets({"hunter2-long"});
    EXPECT_EQ(redactor.mask("hunter2-long and xhunter2-longhunter2-long, again hunter2-long"), "*** and x******, again ***");
}

TEST(RedactorMask, ReplacesEverySecret) {
    const auto redactor = with_secrets({"alpha", "bravo"});
    EXPECT_EQ(redactor.mask("bravo alpha charlie"), "*** *** charlie");
}

TEST(RedactorMask, ShortSecretIsMaskedOnlyWhereItStandsAlone) {
    const auto redactor = with_secrets({"zabbix"});
    EXPECT_EQ(redactor.mask("/srv/zabbix-backup on zabbix.example"), "/srv/zabbix-backup on zabbix.example");
    EXPECT_EQ(redactor.mask("zabbix"), "***");
    EXPECT_EQ(redactor.mask("password is 'zabbix'; url https://u:zabbix@h/"), "password is '***'; url https://u:***@h/");
}

TEST(RedactorMask, LongestSecretWinsWhenOneContainsAnother) {
    // Whichever order they were learnt in, the longer secret must not leave its tail behind.
    EXPECT_EQ(with_secrets({"pass", "pass1234"}).mask("pw=pass1234;"), "pw=***;");
    EXPECT_EQ(with_secrets({"pass1234", "pass"}).mask("pw=pass1234;"), "pw=***;");
    EXPECT_EQ(with_secrets({"1234", "pass1234"}).mask("pass1234 1234"), "*** ***");
}

TEST(RedactorMask, ValuesShorterThanThreeCharactersAreIgnored) {
    const auto redactor = with_secrets({"ab", "x", ""});
    EXPECT_EQ(redactor.mask("ab x abc"), "ab x abc");
    EXPECT_EQ(with_secrets({"abc"}).mask("ab abc"), "ab ***");
}

TEST(RedactorMask, TextWithoutSecretsIsUnchanged) {
    EXPECT_EQ(with_secrets({"hunter2"}).mask("nothing to see"), "nothing to see");
    EXPECT_EQ(Redactor{}.mask("nothing to see"), "nothing to see");
}

TEST(RedactorMask, AMultiLineSecretIsMaskedLineByLineWhereverALineAppears) {
    const std::string pem = "-----BEGIN PRIVATE KEY-----\r\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\r\nBKcwggSjAgEAAoIBAQC7\r\nAB==\r\n"
                            "-----END PRIVATE KEY-----\r\n";
    const auto redactor = with_secrets({pem});
    EXPECT_EQ(redactor.mask(pem), "***");
    EXPECT_EQ(redactor.mask("bad key line MIIEvQIBADANBgkqhkiG9w0BAQEFAASC at 2"), "bad key line *** at 2");
    // As a JSON string quotes it, the line breaks escaped.
    EXPECT_EQ(redactor.mask(R"({"key":"-----BEGIN PRIVATE KEY-----\r\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\r\nBKcwggSjAgEAAoIBAQC7\r\nAB=="})"),
              R"({"key":"***\r\n***\r\n***\r\nAB=="})");
}

TEST(RedactorMask, ATableIsMaskedCellByCellLeavingNumbersAlone) {
    const concierge::sdk::Table table{{{"a", "A"}, {"b", "B"}}, {{std::string("x hunter2-long y"), std::int64_t{7}}}};
    const auto masked = with_secrets({"hunter2-long", "7777"}).mask(table);
    EXPECT_EQ(std::get<std::string>(masked.rows[0][0]), "x *** y");
    EXPECT_EQ(std::get<std::int64_t>(masked.rows[0][1]), 7);
}

TEST(RedactorMask, AddingTheSameSecretTwiceIsHarmless) {
    EXPECT_EQ(with_secrets({"hunter2", "hunter2"}).mask("hunter2"), "***");
}

// --- redact_arguments -----------------------------------------------------------------------------

TEST(RedactArguments, MasksTheValueAfterASecretNamedOption) {
    EXPECT_EQ(Redactor{}.redact_arguments({"web", "--password", "hunter2", "--host", "db"}, {}),
              (Args{"web", "--password", "***", "--host", "db"}));
}

TEST(RedactArguments, MasksTheValueOfASecretNamedOptionWithEquals) {
    EXPECT_EQ(Redactor{}.redact_arguments({"--password=hunter2", "--api-token=t0k", "--host=db"}, {}),
              (Args{"--password=***", "--api-token=***", "--host=db"}));
}

TEST(RedactArguments, MasksADeclaredSecretWithAnInnocuousName) {
    const std::vector<OptionSpec> specs{{.name = "pin", .secret = true}};
    EXPECT_EQ(Redactor{}.redact_arguments({"--pin", "1234", "--pin=5678"}, specs), (Args{"--pin", "***", "--pin=***"}));
}

TEST(RedactArguments, InnocuousUndeclaredOptionIsKept) {
    const std::vector<OptionSpec> specs{{.name = "pin"}};
    EXPECT_EQ(Redactor{}.redact_arguments({"--pin", "1234", "--pin=5678"}, specs), (Args{"--pin", "1234", "--pin=5678"}));
}

TEST(RedactArguments, MasksTheValueAfterTheShortNameOfASecretOption) {
    const std::vector<OptionSpec> specs{{.name = "pin", .short_name = 'p', .secret = true},
                                        {.name = "password", .short_name = 'w'}};
    EXPECT_EQ(Redactor{}.redact_arguments({"-p", "1234", "-w", "hunter2", "web"}, specs),
              (Args{"-p", "***", "-w", "***", "web"}));
}

TEST(RedactArguments, ShortNameOfAnOrdinaryOptionKeepsItsValue) {
    const std::vector<OptionSpec> specs{{.name = "port", .short_name = 'p', .type = OptionType::Integer}};
    EXPECT_EQ(Redactor{}.redact_arguments({"-p", "8080"}, specs), (Args{"-p", "8080"}));
}

TEST(RedactArguments, MasksAKnownSecretValueAppearingAsAPositional) {
    EnvBlock env({"ZBX_PASS=s3cr3t-pass"});
    const auto redactor = Redactor::from_environment(env.get());
    EXPECT_EQ(redactor.redact_arguments({"web", "s3cr3t-pass", "--url=https://u:s3cr3t-pass@h/"}, {}),
              (Args{"web", "***", "--url=https://u:***@h/"}));
}

TEST(RedactArguments, FlagWithASecretLookingNameDoesNotMaskTheNextArgument) {
    const std::vector<OptionSpec> specs{{.name = "use-token", .type = OptionType::Flag}, {.name = "target", .positional = true}};
    EXPECT_EQ(Redactor{}.redact_arguments({"--use-token", "web"}, specs), (Args{"--use-token", "web"}));
}

TEST(RedactArguments, WithoutSpecsASecretLookingOptionIsAssumedToTakeAValue) {
    EXPECT_EQ(Redactor{}.redact_arguments({"--use-token", "web"}, {}), (Args{"--use-token", "***"}));
}

TEST(RedactArguments, SecretOptionAsLastArgumentIsKept) {
    EXPECT_EQ(Redactor{}.redact_arguments({"web", "--password"}, {}), (Args{"web", "--password"}));
}

TEST(RedactArguments, OrdinaryArgumentsAreUnchanged) {
    const Args args{"web", "--replicas", "3", "-v", "-", "--", "--output=json"};
    EXPECT_EQ(Redactor{}.redact_arguments(args, {}), args);
}

// The parser accepts a short option's value stuck to it ("-p1234") and grouped flags before it.
TEST(RedactArguments, MasksAValueStuckToTheShortNameOfASecretOption) {
    const std::vector<OptionSpec> specs{{.name = "pin", .short_name = 'p', .secret = true}};
    EXPECT_EQ(Redactor{}.redact_arguments({"-p1234"}, specs), (Args{"-p***"}));
}

TEST(RedactArguments, MasksTheSecretValueAfterAClusterOfShortFlags) {
    const std::vector<OptionSpec> specs{{.name = "verbose-mode", .short_name = 'v', .type = OptionType::Flag},
                                        {.name = "pin", .short_name = 'p', .secret = true}};
    EXPECT_EQ(Redactor{}.redact_arguments({"-vp", "hunter2", "web"}, specs), (Args{"-vp", "***", "web"}));
    EXPECT_EQ(Redactor{}.redact_arguments({"-vphunter2"}, specs), (Args{"-vp***"}));
}

}  // namespace

// TLS material from inventory: only well-formed PEM that belongs together is written, into a
// private directory that disappears with its owner, and directories of dead processes are removed.
#include <concierge/zabbix/inventory_certs.hpp>

#include "test_pem.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

namespace zbx = concierge::zabbix;
namespace fs = std::filesystem;
using concierge::sdk::ExitCode;

namespace {

std::string read(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

mode_t mode_of(const fs::path& path) {
    struct stat info {};
    EXPECT_EQ(::lstat(path.c_str(), &info), 0) << path;
    return info.st_mode & 07777;
}

class InventoryCerts : public testing::Test {
protected:
    void SetUp() override {
        std::string pattern = (fs::temp_directory_path() / "inventory-certs-test-XXXXXX").string();
        ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
        root_ = pattern;
        base_ = root_ / "certs";
        const auto client = concierge::test::make_test_pem("client");
        const auto ca = concierge::test::make_test_pem("ca");
        material_ = {client.key, ca.cert, client.cert};
    }
    void TearDown() override { fs::remove_all(root_); }

    ExitCode write_error(const zbx::TlsMaterial& material, std::string* message = nullptr) {
        try {
            zbx::CertDirectory::write(material, {}, base_);
        } catch (const concierge::sdk::Error& e) {
            if (message) *message = e.what();
            return e.code();
        }
        return ExitCode::Ok;
    }

    fs::path root_;
    fs::path base_;
    zbx::TlsMaterial material_;
};

TEST_F(InventoryCerts, WritesDockerNamedFilesPrivatelyAndDeletesThemWithTheDirectory) {
    fs::path written;
    {
        const auto directory = zbx::CertDirectory::write(material_, {}, base_);
        written = directory.path();
        EXPECT_EQ(written.parent_path(), base_);
        EXPECT_EQ(mode_of(base_), 0700u);
        EXPECT_EQ(mode_of(written), 0700u);
        for (const auto* name : {"key.pem", "ca.pem", "cert.pem"}) EXPECT_EQ(mode_of(written / name), 0600u) << name;
        EXPECT_EQ(read(written / "key.pem"), material_.key);
        EXPECT_EQ(read(written / "ca.pem"), material_.ca);
        EXPECT_EQ(read(written / "cert.pem"), material_.cert);
    }
    EXPECT_FALSE(fs::exists(written));
}

TEST_F(InventoryCerts, MalformedPemIsInvalidInputNamingTheFieldAndWritesNothing) {
    std::string message;
    auto bad_key = material_;
    bad_key.key = "-----BEGIN PRIVATE KEY-----\nnot base64 at all\n-----END PRIVATE KEY-----\n";
    EXPECT_EQ(write_error(bad_key, &message), ExitCode::InvalidInput);
    EXPECT_NE(message.find("'notes'"), std::string::npos) << message;

    auto bad_ca = material_;
    bad_ca.ca = material_.ca.substr(0, material_.ca.size() / 2);  // truncated
    EXPECT_EQ(write_error(bad_ca, &message), ExitCode::InvalidInput);
    EXPECT_NE(message.find("'poc_1_notes'"), std::string::npos) << message;

    auto bad_cert = material_;
    bad_cert.cert = "hello";
    EXPECT_EQ(write_error(bad_cert, &message), ExitCode::InvalidInput);
    EXPECT_NE(message.find("'poc_2_notes'"), std::string::npos) << message;
    EXPECT_FALSE(fs::exists(base_));
}

TEST_F(InventoryCerts, CaBundleWithSeveralCertificatesIsAccepted) {
    auto bundle = material_;
    bundle.ca += concierge::test::make_test_pem("second ca").cert;
    EXPECT_EQ(write_error(bundle), ExitCode::Ok);
}

TEST_F(InventoryCerts, ClientCertificateOfAnotherKeyIsRefused) {
    auto crossed = material_;
    crossed.cert = material_.ca;  // the earlier tool passed the CA where the client cert belongs
    std::string message;
    EXPECT_EQ(write_error(crossed, &message), ExitCode::InvalidInput);
    EXPECT_NE(message.find("does not match the key"), std::string::npos) << message;
}

TEST_F(InventoryCerts, DirectoriesOfDeadProcessesAreRemovedAndLiveOnesKept) {
    fs::create_directories(base_);
    fs::permissions(base_, fs::perms::owner_all, fs::perm_options::replace);
    const fs::path dead = base_ / "run-2147483000-12345-abcdef";  // no such pid
    fs::create_directories(dead);
    std::ofstream(dead / "key.pem") << material_.key;
    {
        const auto first = zbx::CertDirectory::write(material_, {}, base_);
        EXPECT_FALSE(fs::exists(dead));
        const auto second = zbx::CertDirectory::write(material_, {}, base_);
        EXPECT_TRUE(fs::exists(first.path())) << "a live process's directory is not stale";
        EXPECT_NE(first.path(), second.path());
    }
    EXPECT_TRUE(fs::is_empty(base_));
}

TEST_F(InventoryCerts, BaseOpenToOthersIsRefused) {
    fs::create_directories(base_);
    fs::permissions(base_, fs::perms::owner_all | fs::perms::group_read | fs::perms::others_read, fs::perm_options::replace);
    std::string message;
    EXPECT_EQ(write_error(material_, &message), ExitCode::Failure);
    EXPECT_NE(message.find("chmod 700"), std::string::npos) << message;
}

TEST_F(InventoryCerts, BaseThatIsASymlinkIsRefused) {
    fs::create_directories(root_ / "elsewhere");
    fs::create_directory_symlink(root_ / "elsewhere", base_);
    EXPECT_EQ(write_error(material_), ExitCode::Failure);
}

TEST(InventoryCertOptions, DeclareTheFlagTheEarlierToolsFieldsAndAnOptionalZabbixHost) {
    const auto options = zbx::inventory_cert_options();
    auto find = [&](const std::string& name) {
        for (const auto& option : options)
            if (option.name == name) return option;
        ADD_FAILURE() << "no option " << name;
        return concierge::sdk::OptionSpec{};
    };
    EXPECT_EQ(find("certs-from-zabbix").type, concierge::sdk::OptionType::Flag);
    EXPECT_EQ(find("certs-from-zabbix").config_key, "docker.certs-from-zabbix");
    EXPECT_EQ(find("inventory-key-field").default_value, "notes");
    EXPECT_EQ(find("inventory-ca-field").default_value, "poc_1_notes");
    EXPECT_EQ(find("inventory-cert-field").default_value, "poc_2_notes");
    EXPECT_FALSE(find("zabbix-api-host").required);
    EXPECT_EQ(find("zabbix-api-host").env, "ZBX_API_HOST");
    EXPECT_EQ(find("zabbix-timeout").config_key, "zabbix.timeout");
    EXPECT_TRUE(find("zabbix-password").secret);
}

}  // namespace

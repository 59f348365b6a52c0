// Unit tests of the Zabbix sender protocol against a stub trapper on 127.0.0.1: the bytes of a
// request, the counts of an answer, batches split and summed, escaping, every kind of bad answer,
// timeouts, Ctrl-C, and the options. The real server daemon is not needed here.
#include <concierge/zabbix/sender.hpp>

#include "../fake_context.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <sys/socket.h>

namespace zbx = concierge::zabbix;
using concierge::sdk::ExitCode;
using namespace std::chrono_literals;

namespace {

std::string le32(std::uint32_t value) {
    std::string out;
    for (int byte = 0; byte < 4; ++byte) out += static_cast<char>((value >> (8 * byte)) & 0xff);
    return out;
}

std::uint32_t read_le32(const std::string& bytes, std::size_t at) {
    std::uint32_t value = 0;
    for (std::size_t byte = 0; byte < 4; ++byte) value |= std::uint32_t{static_cast<unsigned char>(bytes[at + byte])} << (8 * byte);
    return value;
}

/// A Zabbix protocol message: header with flag 0x01, length, reserved zeros, then `json`.
std::string frame(const std::string& json) { return std::string("ZBXD\x01", 5) + le32(static_cast<std::uint32_t>(json.size())) + le32(0) + json; }

std::string success(std::int64_t processed, std::int64_t failed, std::int64_t total) {
    return frame(R"({"response":"success","info":"processed: )" + std::to_string(processed) + "; failed: " +
                 std::to_string(failed) + "; total: " + std::to_string(total) + R"(; seconds spent: 0.000055"})");
}

Poco::JSON::Object::Ptr parse(const std::string& json) {
    return Poco::JSON::Parser().parse(json).extract<Poco::JSON::Object::Ptr>();
}

/// A trapper on 127.0.0.1 that takes one connection at a time, reads one request by its header,
/// records it and writes what `reply` returns for it (request JSON, index of the request), then
/// closes. never_answer holds the connection open until the stub goes.
class StubTrapper {
public:
    using Reply = std::function<std::string(const std::string& json, std::size_t index)>;
    static inline const std::string never_answer = "<never answer>";

    explicit StubTrapper(Reply reply) : reply_(std::move(reply)), thread_([this] { serve(); }) {}
    StubTrapper() : StubTrapper([](const std::string& json, std::size_t) {
        const auto n = static_cast<std::int64_t>(parse(json)->getArray("data")->size());
        return success(n, 0, n);
    }) {}
    ~StubTrapper() {
        {
            std::lock_guard lock(mutex_);
            stopping_ = true;
        }
        changed_.notify_all();
        thread_.join();
    }

    std::string server() const { return "127.0.0.1:" + std::to_string(listener_.address().port()); }
    /// The raw bytes of each request received, header included.
    std::vector<std::string> requests() {
        std::lock_guard lock(mutex_);
        return requests_;
    }
    std::vector<std::string> request_json() {
        std::vector<std::string> json;
        for (const auto& raw : requests()) json.push_back(raw.substr(13));
        return json;
    }

private:
    static std::string read_exactly(Poco::Net::StreamSocket& peer, std::size_t want) {
        std::string bytes(want, '\0');
        std::size_t got = 0;
        while (got < want) {
            const int read = peer.receiveBytes(bytes.data() + got, static_cast<int>(want - got));
            if (read <= 0) break;
            got += static_cast<std::size_t>(read);
        }
        bytes.resize(got);
        return bytes;
    }

    void serve() {
        for (std::size_t index = 0;; ++index) {
            {
                std::lock_guard lock(mutex_);
                if (stopping_) return;
            }
            if (!listener_.poll(Poco::Timespan(20 * 1000), Poco::Net::Socket::SELECT_READ)) {
                --index;
                continue;
            }
            Poco::Net::StreamSocket peer = listener_.acceptConnection();
            peer.setReceiveTimeout(Poco::Timespan(5, 0));
            std::string raw = read_exactly(peer, 13);
            if (raw.size() == 13) raw += read_exactly(peer, read_le32(raw, 5));
            {
                std::lock_guard lock(mutex_);
                requests_.push_back(raw);
            }
            const std::string answer = reply_(raw.size() > 13 ? raw.substr(13) : std::string(), index);
            if (answer == never_answer) {
                std::unique_lock lock(mutex_);
                changed_.wait(lock, [this] { return stopping_; });
                return;
            }
            for (std::size_t sent = 0; sent < answer.size();) {
                const int wrote = peer.sendBytes(answer.data() + sent, static_cast<int>(answer.size() - sent), MSG_NOSIGNAL);
                if (wrote <= 0) break;
                sent += static_cast<std::size_t>(wrote);
            }
            peer.close();
        }
    }

    Poco::Net::ServerSocket listener_{Poco::Net::SocketAddress("127.0.0.1", 0)};
    Reply reply_;
    std::mutex mutex_;
    std::condition_variable changed_;
    bool stopping_ = false;
    std::vector<std::string> requests_;
    std::thread thread_;
};

zbx::SenderSettings settings_for(const std::string& server, std::chrono::milliseconds timeout = 5s) {
    zbx::SenderSettings settings;
    settings.server = server;
    settings.timeout = timeout;
    return settings;
}

zbx::TrapperValue value(std::string host, std::string key, std::string text) {
    zbx::TrapperValue value;
    value.host = std::move(host);
    value.key = std::move(key);
    value.value = std::move(text);
    return value;
}

std::vector<zbx::TrapperValue> numbered(std::size_t count) {
    std::vector<zbx::TrapperValue> values;
    for (std::size_t i = 0; i < count; ++i) values.push_back(value("web01", "trap", std::to_string(i)));
    return values;
}

/// The sdk::Error that sending `values` to a stub answering `answer` throws.
concierge::sdk::Error error_sending(const std::string& server, const std::vector<zbx::TrapperValue>& values,
                                    std::chrono::milliseconds timeout = 5s) {
    zbx::Sender sender(settings_for(server, timeout));
    try {
        sender.send(values);
    } catch (const concierge::sdk::Error& e) {
        return e;
    }
    ADD_FAILURE() << "the send succeeded";
    return concierge::sdk::Error(ExitCode::Ok, "");
}

concierge::sdk::Error error_for_answer(const std::string& answer) {
    StubTrapper stub([&](const std::string&, std::size_t) { return answer; });
    return error_sending(stub.server(), numbered(1));
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// ---- the request --------------------------------------------------------------------------

TEST(SenderRequest, IsZbxdHeaderWithLittleEndianLengthThenSenderDataJson) {
    StubTrapper stub;
    auto timed = value("web01", "backup.status", "ok");
    timed.clock = 1516710794;
    timed.ns = 592397170;
    const auto before = std::chrono::system_clock::now();
    zbx::Sender(settings_for(stub.server())).send({timed, value("db01", "backup.bytes", "1048576")});
    const auto after = std::chrono::system_clock::now();

    const auto requests = stub.requests();
    ASSERT_EQ(requests.size(), 1u);
    const std::string& raw = requests[0];
    ASSERT_GT(raw.size(), 13u);
    EXPECT_EQ(raw.substr(0, 4), "ZBXD");
    EXPECT_EQ(raw[4], '\x01');
    EXPECT_EQ(read_le32(raw, 5), raw.size() - 13) << "the length is the JSON's, little-endian";
    EXPECT_EQ(raw.substr(9, 4), std::string(4, '\0')) << "reserved bytes are zero";

    const auto request = parse(raw.substr(13));
    EXPECT_EQ(request->getValue<std::string>("request"), "sender data");
    const auto data = request->getArray("data");
    ASSERT_EQ(data->size(), 2u);
    const auto first = data->getObject(0), second = data->getObject(1);
    EXPECT_EQ(first->getValue<std::string>("host"), "web01");
    EXPECT_EQ(first->getValue<std::string>("key"), "backup.status");
    EXPECT_EQ(first->getValue<std::string>("value"), "ok");
    EXPECT_EQ(first->getValue<std::int64_t>("clock"), 1516710794);
    EXPECT_EQ(first->getValue<std::int64_t>("ns"), 592397170);
    EXPECT_EQ(second->getValue<std::string>("host"), "db01");
    EXPECT_TRUE(second->get("value").isString()) << "values are always sent as text";
    EXPECT_EQ(second->getValue<std::string>("value"), "1048576");
    EXPECT_FALSE(second->has("clock")) << "a value without a clock is stamped by the server";
    EXPECT_FALSE(second->has("ns"));

    // The request carries the time it was sent.
    const auto seconds = [](auto time) { return std::chrono::duration_cast<std::chrono::seconds>(time.time_since_epoch()).count(); };
    const auto clock = request->getValue<std::int64_t>("clock");
    EXPECT_GE(clock, seconds(before));
    EXPECT_LE(clock, seconds(after));
    const auto ns = request->getValue<std::int64_t>("ns");
    EXPECT_GE(ns, 0);
    EXPECT_LT(ns, 1000000000);
}

TEST(SenderRequest, EscapesQuotesBackslashesAndControlsAndPassesUtf8Through) {
    StubTrapper stub;
    const std::string host = "web \"01\"\\prod";
    const std::string key = R"(vfs.file.contents["C:\tmp\a.txt"])";
    const std::string text = "line1\nline2\ttab\r\x01\x1f\b\f end caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 /";
    zbx::Sender(settings_for(stub.server())).send({value(host, key, text)});

    const auto json = stub.request_json();
    ASSERT_EQ(json.size(), 1u);
    const auto sent = parse(json[0])->getArray("data")->getObject(0);
    EXPECT_EQ(sent->getValue<std::string>("host"), host);
    EXPECT_EQ(sent->getValue<std::string>("key"), key);
    EXPECT_EQ(sent->getValue<std::string>("value"), text);
    EXPECT_TRUE(contains(json[0], R"("web \"01\"\\prod")")) << json[0];
    EXPECT_TRUE(contains(json[0], R"(line1\nline2\ttab\r\u0001\u001f\b\f end)")) << json[0];
    EXPECT_TRUE(contains(json[0], "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 /")) << "UTF-8 is sent as it is";
}

TEST(SenderRequest, NothingToSendMakesNoConnection) {
    StubTrapper stub;
    const auto result = zbx::Sender(settings_for(stub.server())).send({});
    EXPECT_EQ(result.requests, 0);
    EXPECT_EQ(result.total, 0);
    EXPECT_TRUE(stub.requests().empty());
}

// ---- the answer ---------------------------------------------------------------------------

TEST(SenderResult, ProcessedFailedAndTotalComeFromTheInfo) {
    StubTrapper stub([](const std::string&, std::size_t) { return success(2, 1, 3); });
    const auto result = zbx::Sender(settings_for(stub.server())).send(numbered(3));
    EXPECT_EQ(result.processed, 2);
    EXPECT_EQ(result.failed, 1) << "values the server refused are counted, not thrown";
    EXPECT_EQ(result.total, 3);
    EXPECT_EQ(result.requests, 1);
    EXPECT_EQ(result.info, "processed: 2; failed: 1; total: 3; seconds spent: 0.000055");
}

TEST(SenderResult, OldServersInfoWithoutColonsIsRead) {
    StubTrapper stub([](const std::string&, std::size_t) {
        return frame(R"({"response":"success","info":"Processed 0 Failed 1 Total 1 Seconds spent 0.000020"})");
    });
    const auto result = zbx::Sender(settings_for(stub.server())).send(numbered(1));
    EXPECT_EQ(result.processed, 0);
    EXPECT_EQ(result.failed, 1);
    EXPECT_EQ(result.total, 1);
}

TEST(SenderChunks, SixHundredValuesGoInThreeRequestsOf250AndTheResultsAreSummed) {
    StubTrapper stub([](const std::string& json, std::size_t index) {
        const auto n = static_cast<std::int64_t>(parse(json)->getArray("data")->size());
        return success(n - static_cast<std::int64_t>(index), static_cast<std::int64_t>(index), n);  // 0, 1, 2 failed
    });
    const auto result = zbx::Sender(settings_for(stub.server())).send(numbered(600));

    const auto json = stub.request_json();
    ASSERT_EQ(json.size(), 3u);
    const std::size_t sizes[] = {250, 250, 100};
    for (std::size_t i = 0; i < 3; ++i) {
        const auto data = parse(json[i])->getArray("data");
        ASSERT_EQ(data->size(), sizes[i]) << "request " << i;
        EXPECT_EQ(data->getObject(0)->getValue<std::string>("value"), std::to_string(250 * i)) << "in order";
    }
    EXPECT_EQ(result.requests, 3);
    EXPECT_EQ(result.total, 600);
    EXPECT_EQ(result.failed, 3);
    EXPECT_EQ(result.processed, 597);
    EXPECT_EQ(std::count(result.info.begin(), result.info.end(), '\n'), 2) << "one info line per request: " << result.info;
}

TEST(SenderChunks, ValuesPerRequestIsASetting) {
    StubTrapper stub;
    auto settings = settings_for(stub.server());
    settings.values_per_request = 2;
    const auto result = zbx::Sender(settings).send(numbered(5));
    EXPECT_EQ(stub.requests().size(), 3u);
    EXPECT_EQ(result.processed, 5);
}

TEST(SenderChunks, AFailureAfterEarlierRequestsSaysHowManyValuesWereSent) {
    StubTrapper stub([](const std::string& json, std::size_t index) {
        const auto n = static_cast<std::int64_t>(parse(json)->getArray("data")->size());
        return index == 1 ? frame(R"({"response":"failed","info":"cannot process request"})") : success(n, 0, n);
    });
    const auto error = error_sending(stub.server(), numbered(600));
    EXPECT_EQ(error.code(), ExitCode::RemoteError);
    EXPECT_TRUE(contains(error.what(), "cannot process request")) << error.what();
    EXPECT_TRUE(contains(error.what(), "250 of the 600 values were sent by earlier requests")) << error.what();
    EXPECT_EQ(stub.requests().size(), 2u) << "the send stops at the failure";
}

// ---- bad answers --------------------------------------------------------------------------

TEST(SenderErrors, AFailedResponseIsARemoteErrorWithTheServersReason) {
    const auto error = error_for_answer(frame(R"({"response":"failed","info":"host \"web01\" not found"})"));
    EXPECT_EQ(error.code(), ExitCode::RemoteError);
    EXPECT_TRUE(contains(error.what(), "refused the values: host \"web01\" not found")) << error.what();
    EXPECT_TRUE(contains(error.what(), "127.0.0.1:")) << "names the server: " << error.what();
}

TEST(SenderErrors, AnAnswerThatIsNotTheZabbixProtocolIsARemoteError) {
    const auto error = error_for_answer("HTTP/1.1 400 Bad Request\r\n\r\n");
    EXPECT_EQ(error.code(), ExitCode::RemoteError);
    EXPECT_TRUE(contains(error.what(), "not the Zabbix protocol: 'HTTP/1.1 400")) << error.what();
    EXPECT_EQ(std::string(error.what()).find('\n'), std::string::npos) << "one line";
}

TEST(SenderErrors, CompressedAndLargePacketAnswersAreRefusedByName) {
    const std::string json = R"({"response":"success","info":"processed: 1; failed: 0; total: 1"})";
    const auto compressed = error_for_answer(std::string("ZBXD\x03", 5) + le32(static_cast<std::uint32_t>(json.size())) +
                                             le32(static_cast<std::uint32_t>(json.size())) + json);
    EXPECT_EQ(compressed.code(), ExitCode::RemoteError);
    EXPECT_TRUE(contains(compressed.what(), "compressed (protocol flag 0x02)")) << compressed.what();
    const auto large = error_for_answer(std::string("ZBXD\x05", 5) + le32(static_cast<std::uint32_t>(json.size())) + le32(0) +
                                        le32(0) + le32(0) + json);
    EXPECT_EQ(large.code(), ExitCode::RemoteError);
    EXPECT_TRUE(contains(large.what(), "large packet (protocol flag 0x04)")) << large.what();
}

TEST(SenderErrors, ATruncatedAnswerIsARemoteError) {
    const auto body = error_for_answer(std::string("ZBXD\x01", 5) + le32(100) + le32(0) + R"({"respons)");
    EXPECT_EQ(body.code(), ExitCode::RemoteError);
    EXPECT_TRUE(contains(body.what(), "cut its answer off after 9 of 100 bytes")) << body.what();
    const auto header = error_for_answer(std::string("ZBXD\x01\x05", 6));
    EXPECT_EQ(header.code(), ExitCode::RemoteError);
    EXPECT_TRUE(contains(header.what(), "in the header (6 of 13 bytes)")) << header.what();
}

TEST(SenderErrors, AnAnswerAnnouncedLargerThanTheCapIsRefusedBeforeReadingIt) {
    const auto error = error_for_answer(std::string("ZBXD\x01", 5) + le32((16u << 20) + 1) + le32(0));
    EXPECT_EQ(error.code(), ExitCode::RemoteError);
    EXPECT_TRUE(contains(error.what(), "16777217 bytes, more than the 16 MiB cap")) << error.what();
}

TEST(SenderErrors, AnAnswerThatIsNotJsonOrLacksTheCountsIsARemoteError) {
    for (const std::string& answer : {frame("not json"), frame(R"(["success"])"), frame(R"({"info":"processed: 1"})"),
                                     frame(R"({"response":"success","info":"ok"})"),
                                     frame(R"({"response":"maybe","info":"processed: 1; failed: 0; total: 1"})")}) {
        const auto error = error_for_answer(answer);
        EXPECT_EQ(error.code(), ExitCode::RemoteError) << answer;
        EXPECT_TRUE(contains(error.what(), "not a sender response")) << error.what();
    }
}

// The answer is bounded by the cap; what it holds by the default JSON limits, as the client's.
TEST(SenderErrors, AnAnswerBeyondTheJsonLimitsIsARemoteError) {
    const std::string deep = std::string(600, '[') + std::string(600, ']');
    const auto error = error_for_answer(frame(R"({"response":"success","info":"processed: 1; failed: 0; total: 1","x":)" + deep + "}"));
    EXPECT_EQ(error.code(), ExitCode::RemoteError);
    EXPECT_TRUE(contains(error.what(), "malformed JSON at byte 581: nesting deeper than 512")) << error.what();
}

TEST(SenderErrors, AConnectionClosedWithoutAnAnswerIsUnreachable) {
    const auto error = error_for_answer("");
    EXPECT_EQ(error.code(), ExitCode::Unreachable);
    EXPECT_TRUE(contains(error.what(), "closed the connection without an answer")) << error.what();
}

// ---- reaching the server ------------------------------------------------------------------

TEST(SenderErrors, AServerThatNeverAnswersIsUnreachableWithinTheTimeout) {
    StubTrapper stub([](const std::string&, std::size_t) { return StubTrapper::never_answer; });
    const auto start = std::chrono::steady_clock::now();
    const auto error = error_sending(stub.server(), numbered(1), 300ms);
    const auto took = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(error.code(), ExitCode::Unreachable);
    EXPECT_TRUE(contains(error.what(), "no answer within 0.3 s")) << error.what();
    EXPECT_TRUE(contains(error.what(), "ZBX_SENDER_TIMEOUT")) << error.what();
    EXPECT_LT(took, 3s);
}

TEST(SenderErrors, AClosedPortIsUnreachableAndNamesTheServer) {
    std::uint16_t port = 0;
    {
        Poco::Net::ServerSocket taken(Poco::Net::SocketAddress("127.0.0.1", 0));
        port = taken.address().port();
    }  // closed: nothing listens there now
    const auto error = error_sending("127.0.0.1:" + std::to_string(port), numbered(1));
    EXPECT_EQ(error.code(), ExitCode::Unreachable);
    EXPECT_TRUE(contains(error.what(), "the Zabbix server at 127.0.0.1:" + std::to_string(port))) << error.what();
}

TEST(SenderErrors, CtrlCEndsARequestInFlightAsInterrupted) {
    StubTrapper stub([](const std::string&, std::size_t) { return StubTrapper::never_answer; });
    concierge::test::FakeContext ctx;
    auto settings = settings_for(stub.server(), 30s);
    settings.context = &ctx;
    zbx::Sender sender(settings);
    std::thread press([&] {
        std::this_thread::sleep_for(200ms);
        ctx.cancel = true;
    });
    const auto start = std::chrono::steady_clock::now();
    try {
        sender.send(numbered(1));
        ADD_FAILURE() << "the send succeeded";
    } catch (const concierge::sdk::Error& e) {
        EXPECT_EQ(e.code(), ExitCode::Interrupted) << e.what();
        EXPECT_TRUE(contains(e.what(), "the Zabbix server at")) << e.what();
    }
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
    press.join();
    // Once cancelled, a send fails at once, the same way.
    try {
        sender.send(numbered(1));
        ADD_FAILURE() << "a send after the cancel succeeded";
    } catch (const concierge::sdk::Error& e) {
        EXPECT_EQ(e.code(), ExitCode::Interrupted) << e.what();
    }
}

// ---- options and settings -----------------------------------------------------------------

TEST(SenderOptions, NamesEnvironmentConfigKeysAndDefaults) {
    std::map<std::string, concierge::sdk::OptionSpec> by_name;
    for (const auto& spec : zbx::sender_options()) by_name[spec.name] = spec;
    ASSERT_EQ(by_name.size(), 3u);
    EXPECT_EQ(by_name["zabbix-server"].env, "ZBX_SERVER_HOST,ZBX_SERVER");
    EXPECT_EQ(by_name["zabbix-server"].config_key, "zabbix.server");
    EXPECT_TRUE(by_name["zabbix-server"].required);
    EXPECT_EQ(by_name["zabbix-server-port"].env, "ZBX_SERVER_PORT");
    EXPECT_EQ(by_name["zabbix-server-port"].config_key, "zabbix.server-port");
    EXPECT_EQ(by_name["zabbix-server-port"].type, concierge::sdk::OptionType::Integer);
    EXPECT_EQ(by_name["zabbix-server-port"].default_value, "10051");
    EXPECT_EQ(by_name["zabbix-sender-timeout"].env, "ZBX_SENDER_TIMEOUT");
    EXPECT_EQ(by_name["zabbix-sender-timeout"].config_key, "zabbix.sender-timeout");
    EXPECT_EQ(by_name["zabbix-sender-timeout"].type, concierge::sdk::OptionType::Duration);
    EXPECT_EQ(by_name["zabbix-sender-timeout"].default_value, "60s");
}

TEST(SenderOptions, HostAloneTakesThePortOptionOrTheDefault) {
    concierge::test::FakeContext ctx;
    ctx.options = {{"zabbix-server", "zbx.example"}};
    auto settings = zbx::sender_settings_from(ctx);
    EXPECT_EQ(settings.server, "zbx.example");
    EXPECT_EQ(settings.port, 10051);
    EXPECT_EQ(settings.timeout, 60s);
    EXPECT_EQ(settings.context, &ctx);

    ctx.options = {{"zabbix-server", " zbx.example "}, {"zabbix-server-port", "10061"}, {"zabbix-sender-timeout", "2500"}};
    settings = zbx::sender_settings_from(ctx);
    EXPECT_EQ(settings.server, "zbx.example");
    EXPECT_EQ(settings.port, 10061);
    EXPECT_EQ(settings.timeout, 2500ms);
}

TEST(SenderOptions, HostPortWinsOverThePortOption) {
    concierge::test::FakeContext ctx;
    ctx.options = {{"zabbix-server", "10.0.0.5:10052"}, {"zabbix-server-port", "10061"}};
    auto settings = zbx::sender_settings_from(ctx);
    EXPECT_EQ(settings.server, "10.0.0.5");
    EXPECT_EQ(settings.port, 10052);

    ctx.options = {{"zabbix-server", "[::1]:10053"}};
    settings = zbx::sender_settings_from(ctx);
    EXPECT_EQ(settings.server, "::1");
    EXPECT_EQ(settings.port, 10053);
    EXPECT_EQ(zbx::Sender(settings).address(), "[::1]:10053");

    ctx.options = {{"zabbix-server", "fd00::5"}, {"zabbix-server-port", "10054"}};
    settings = zbx::sender_settings_from(ctx);
    EXPECT_EQ(settings.server, "fd00::5") << "a bare IPv6 address has no port in it";
    EXPECT_EQ(settings.port, 10054);
}

TEST(SenderOptions, MalformedServerOrPortIsAUsageError) {
    for (const char* server : {"", "  ", "zbx example", "http://zbx.example", "zbx.example:", "zbx.example:0",
                               "zbx.example:65536", "zbx.example:port", "[::1", "[::1]x", "[zbx.example]:1", "zbx/x"}) {
        concierge::test::FakeContext ctx;
        ctx.options = {{"zabbix-server", server}};
        try {
            zbx::sender_settings_from(ctx);
            ADD_FAILURE() << "accepted '" << server << "'";
        } catch (const concierge::sdk::Error& e) {
            EXPECT_EQ(e.code(), ExitCode::Usage) << server;
            EXPECT_TRUE(contains(e.what(), "ZBX_SERVER_HOST")) << e.what();
        }
    }
    concierge::test::FakeContext ctx;
    ctx.options = {{"zabbix-server", "zbx.example"}, {"zabbix-server-port", "70000"}};
    EXPECT_THROW(zbx::sender_settings_from(ctx), concierge::sdk::Error);
    ctx.options = {{"zabbix-server-port", "10051"}};
    try {
        zbx::sender_settings_from(ctx);
        ADD_FAILURE() << "accepted no server";
    } catch (const concierge::sdk::Error& e) {
        EXPECT_EQ(e.code(), ExitCode::Usage);
    }
    // Settings built by hand are checked the same way.
    EXPECT_THROW(zbx::Sender(settings_for("tcp://zbx.example")), concierge::sdk::Error);
}

}  // namespace

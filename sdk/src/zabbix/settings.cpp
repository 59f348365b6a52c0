// Where the Zabbix API is and how to log in: the URL users type, the options every Zabbix plugin
// declares, and the Settings resolved from them.
#include <concierge/zabbix/client.hpp>

#include "../common/net_support.hpp"
#include "declared_option.hpp"
#include "loopback.hpp"

#include <Poco/Exception.h>
#include <Poco/URI.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

namespace concierge::zabbix {
namespace {

constexpr std::string_view endpoint = "api_jsonrpc.php";

[[noreturn]] void bad_host(std::string_view host, std::string_view why) {
    throw sdk::Error(sdk::ExitCode::Usage,
                     "ZBX_API_HOST '" + std::string(host) + "' is not a Zabbix frontend (" + std::string(why) +
                         "); give a host, host:port or an http(s) URL");
}

bool valid_host_name(const std::string& host) {
    return !host.empty() && std::all_of(host.begin(), host.end(), [](unsigned char c) {
        return std::isalnum(c) || c == '.' || c == '-' || c == '_' || c == ':';
    });
}

bool ends_with(std::string_view text, std::string_view suffix) {
    return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

sdk::OptionSpec option(std::string name, std::string help, std::string env) {
    return declared_option("zabbix", std::move(name), std::move(help), std::move(env));
}

std::string read_password_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream content;
    if (!in || !(content << in.rdbuf()))
        throw sdk::Error(sdk::ExitCode::InvalidInput,
                         "cannot read the password file '" + path + "' (ZBX_PASS_FILE); check the path and its permissions");
    std::string password = std::move(content).str();
    while (!password.empty() && (password.back() == '\n' || password.back() == '\r')) password.pop_back();
    return password;
}

}  // namespace

std::string normalise_api_url(std::string_view host) {
    std::string text(host);
    auto not_space = [](unsigned char c) { return !std::isspace(c); };
    text.erase(text.begin(), std::find_if(text.begin(), text.end(), not_space));
    text.erase(std::find_if(text.rbegin(), text.rend(), not_space).base(), text.end());
    if (text.empty()) bad_host(host, "it is empty");
    if (std::any_of(text.begin(), text.end(), [](unsigned char c) { return std::isspace(c) || std::iscntrl(c); }))
        bad_host(host, "it contains spaces");
    // Credentials in the URL would be printed, and kept in history, wherever the URL goes: refused
    // without echoing the text.
    const auto authority = text.find("://") == std::string::npos ? 0 : text.find("://") + 3;
    if (text.find('@') < text.find('/', authority))
        throw sdk::Error(sdk::ExitCode::Usage,
                         "ZBX_API_HOST holds a user name or password (user:password@host); remove it and give the "
                         "credentials with ZBX_USER and ZBX_PASS, ZBX_PASS_FILE or ZBX_API_TOKEN");
    if (text.find("://") == std::string::npos) text = "https://" + text;  // a bare host: https, as the earlier tool did

    Poco::URI uri;
    try {
        uri = Poco::URI(text);
    } catch (const Poco::Exception& e) {
        bad_host(host, e.message().empty() ? e.displayText() : e.message());
    }
    if (uri.getScheme() != "http" && uri.getScheme() != "https") bad_host(host, "only http and https are supported");
    if (!valid_host_name(uri.getHost())) bad_host(host, "no valid host name");
    if (!uri.getQuery().empty() || !uri.getFragment().empty()) bad_host(host, "a query or fragment is not expected");

    std::string path = uri.getPath();
    if (!ends_with(path, endpoint)) {
        while (!path.empty() && path.back() == '/') path.pop_back();
        path += "/";
        path += endpoint;
    }
    uri.setPath(path);
    return uri.toString();
}

std::vector<sdk::OptionSpec> connection_options() { return connection_options(""); }

std::vector<sdk::OptionSpec> connection_options(std::string_view name_prefix) {
    std::vector<sdk::OptionSpec> options;

    auto host = option("api-host", "Zabbix frontend: host, host:port or URL (https assumed)", "ZBX_API_HOST");
    host.required = true;
    options.push_back(host);

    options.push_back(option("user", "Zabbix user name for user.login", "ZBX_API_USER,ZBX_USER"));

    auto password = option("password", "password for user.login (environment or config only)", "ZBX_API_PASS,ZBX_PASS");
    password.secret = true;
    password.from_command_line = false;
    options.push_back(password);

    options.push_back(option("password-file", "file holding the password (trailing newline ignored)", "ZBX_PASS_FILE"));

    auto token = option("token", "API token (Zabbix 5.4+) instead of user and password (environment or config only)",
                        "ZBX_API_TOKEN");
    token.secret = true;
    token.from_command_line = false;
    options.push_back(token);

    // A flag cannot be switched off on the command line: --insecure does that, ZBX_TLS_VERIFY=false too.
    auto verify = option("tls-verify", "verify the server's TLS certificate", "ZBX_TLS_VERIFY");
    verify.type = sdk::OptionType::Flag;
    verify.default_value = "true";
    options.push_back(verify);

    auto insecure = option("insecure", "do not verify the server's TLS certificate (wins over --tls-verify)", "");
    insecure.type = sdk::OptionType::Flag;
    options.push_back(insecure);

    options.push_back(option("ca-file", "PEM file of CA certificates to trust instead of the system's", "ZBX_CA_FILE"));

    auto timeout = option("timeout", "time limit of each API call", "ZBX_TIMEOUT");
    timeout.type = sdk::OptionType::Duration;
    timeout.default_value = "2m";
    options.push_back(timeout);
    options.push_back(net_support::mebibytes_spec(
        option("max-response-mib", "largest API answer accepted, in MiB", "ZBX_MAX_RESPONSE_MIB"), 64));
    // An export holds the whole configuration: a generous cap of its own.
    options.push_back(net_support::mebibytes_spec(
        option("max-export-mib", "largest configuration.export answer accepted, in MiB", "ZBX_MAX_EXPORT_MIB"), 512));
    options.push_back(net_support::integer_spec(
        option("max-json-depth", "deepest nesting of arrays and objects accepted in an answer", "ZBX_MAX_JSON_DEPTH"), 512));
    options.push_back(net_support::integer_spec(
        option("max-json-items", "most members or elements accepted in one object or array of an answer", "ZBX_MAX_JSON_ITEMS"),
        1000000));
    options.push_back(net_support::mebibytes_spec(
        option("max-json-string-mib", "longest string accepted in an answer, in MiB (an export: --max-export-mib)",
               "ZBX_MAX_JSON_STRING_MIB"),
        16));
    auto answer_limit = option("answer-time-limit", "time limit of each API call from its request to its answer's last byte",
                               "ZBX_ANSWER_TIME_LIMIT");
    answer_limit.type = sdk::OptionType::Duration;
    answer_limit.default_value = "10m";
    options.push_back(answer_limit);
    for (auto& spec : options) spec.name.insert(0, name_prefix);
    return options;
}

Settings settings_from(sdk::Context& ctx) { return settings_from(ctx, ""); }

Settings settings_from(sdk::Context& ctx, std::string_view name_prefix) {
    const auto name = [&](std::string_view option) { return std::string(name_prefix) + std::string(option); };
    Settings settings;
    settings.url = normalise_api_url(ctx.require(name("api-host")));
    settings.user = ctx.get(name("user"));
    settings.password = ctx.get(name("password"));
    if (auto file = ctx.option(name("password-file")); file && !file->empty()) settings.password = read_password_file(*file);
    settings.token = ctx.get(name("token"));
    settings.tls_verify = ctx.option(name("tls-verify")).value_or("true") == "true" && !ctx.flag(name("insecure"));
    settings.ca_file = ctx.get(name("ca-file"));
    if (auto timeout = ctx.get_duration(name("timeout"))) settings.timeout = *timeout;
    if (auto cap = net_support::mebibytes_option(ctx, name("max-response-mib"))) settings.max_response = *cap;
    if (auto cap = net_support::mebibytes_option(ctx, name("max-export-mib"))) settings.max_export_response = *cap;
    if (auto depth = net_support::count_option(ctx, name("max-json-depth"))) settings.max_json_depth = *depth;
    if (auto items = net_support::count_option(ctx, name("max-json-items"))) settings.max_json_items = *items;
    if (auto cap = net_support::mebibytes_option(ctx, name("max-json-string-mib"))) settings.max_json_string = *cap;
    if (auto limit = ctx.get_duration(name("answer-time-limit"))) settings.answer_time_limit = *limit;
    settings.option_prefix = std::string(name_prefix);
    settings.context = &ctx;

    if (!settings.password.empty()) ctx.add_secret(settings.password);
    if (!settings.token.empty()) ctx.add_secret(settings.token);

    if (settings.token.empty() && (settings.user.empty() || settings.password.empty()))
        throw sdk::Error(sdk::ExitCode::Usage, "no Zabbix credentials: set ZBX_API_TOKEN, or ZBX_USER and ZBX_PASS");
    if (!settings.token.empty()) {  // a token needs no login
        settings.user.clear();
        settings.password.clear();
    }

    Poco::URI uri(settings.url);
    if (uri.getScheme() == "http" && !is_loopback(uri.getHost()))
        ctx.warn("credentials travel in clear text over http to " + uri.getHost() + "; use an https URL in ZBX_API_HOST");
    if (!settings.tls_verify && uri.getScheme() == "https")
        ctx.warn("TLS certificate verification is off (ZBX_TLS_VERIFY=false or --insecure)");
    return settings;
}

}  // namespace concierge::zabbix

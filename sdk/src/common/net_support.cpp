#include "net_support.hpp"

#include <concierge/sdk/printable.hpp>

#include <Poco/Net/IPAddress.h>
#include <Poco/Net/NetSSL.h>

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <mutex>

namespace concierge::net_support {

std::string one_line(std::string_view text) { return sdk::printable(text); }

std::string seconds(std::chrono::milliseconds timeout) {
    // Appended piece by piece: g++ 12 -O2 warns falsely (-Wrestrict) on "." + std::to_string().
    const auto tenths = timeout.count() / 100;
    std::string text = std::to_string(tenths / 10);
    if (tenths % 10) {
        text += '.';
        text += std::to_string(tenths % 10);
    }
    text += " s";
    return text;
}

void initialise_ssl() {
    static std::once_flag once;
    std::call_once(once, [] { Poco::Net::initializeSSL(); });
}

bool check_host_name(Poco::Net::Context& context, const std::string& host) {
    X509_VERIFY_PARAM* check = SSL_CTX_get0_param(context.sslContext());
    X509_VERIFY_PARAM_set_hostflags(check, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    Poco::Net::IPAddress address;
    const int named = Poco::Net::IPAddress::tryParse(host, address) ? X509_VERIFY_PARAM_set1_ip_asc(check, host.c_str())
                                                                    : X509_VERIFY_PARAM_set1_host(check, host.c_str(), 0);
    return named == 1;
}

}  // namespace concierge::net_support

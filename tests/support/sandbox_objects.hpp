// For tests that create objects on a real sandbox: names no other run uses, and request JSON.
#pragma once

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Stringifier.h>

#include <random>
#include <sstream>
#include <string>

#include <unistd.h>

namespace concierge::test {

/// prefix-PID-RANDOM: unique across concurrent and repeated runs against the same sandbox.
inline std::string unique_name(const std::string& prefix) {
    static std::mt19937_64 random{std::random_device{}()};
    return prefix + "-" + std::to_string(::getpid()) + "-" + std::to_string(random() % 1000000);
}

inline std::string json_text(const Poco::JSON::Object& object) {
    std::ostringstream text;
    Poco::JSON::Stringifier::stringify(object, text);
    return text.str();
}

}  // namespace concierge::test

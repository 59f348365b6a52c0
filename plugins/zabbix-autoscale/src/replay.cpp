#include "replay.hpp"

#include <cstdio>
#include <ctime>
#include <stdexcept>

namespace concierge::autoscale {

std::vector<ReplayStep> replay(const Input& policy, const std::vector<std::vector<Sample>>& series, TimePoint from,
                               TimePoint to, Seconds every, std::int32_t start) {
    if (every <= Seconds{0}) throw std::invalid_argument("the replay step must be positive");
    if (to < from) throw std::invalid_argument("the replay ends before it starts");
    if (series.size() != policy.metrics.size()) throw std::invalid_argument("one series per metric is needed");
    Input in = policy;
    in.current = start;
    in.recommendations.clear();
    in.events.clear();
    std::vector<std::size_t> next(series.size(), 0);  // per series, the first value after the step
    std::vector<ReplayStep> steps;
    for (TimePoint now = from; now <= to; now += every) {
        in.now = now;
        for (std::size_t i = 0; i < series.size(); ++i) {
            while (next[i] < series[i].size() && series[i][next[i]].clock <= now) ++next[i];
            in.metrics[i].sample = next[i] == 0 ? std::nullopt : std::optional<Sample>(series[i][next[i] - 1]);
        }
        Decision decision = decide(in);
        const State state = carry_forward({in.recommendations, in.events}, in, decision, decision.event);
        in.recommendations = state.recommendations;
        in.events = state.events;
        in.current = decision.desired;
        steps.push_back({now, std::move(decision)});
    }
    return steps;
}

std::optional<TimePoint> parse_utc(std::string_view text) {
    if (text.ends_with('Z')) text.remove_suffix(1);
    const std::string copy(text);
    std::tm tm{};
    int consumed = 0;
    char separator = 'T';
    // The date, then optionally "T" or " " and HH:MM, then optionally :SS; nothing may follow.
    if (std::sscanf(copy.c_str(), "%4d-%2d-%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &consumed) != 3) return std::nullopt;
    if (static_cast<std::size_t>(consumed) < copy.size()) {
        int more = 0;
        if (std::sscanf(copy.c_str() + consumed, "%c%2d:%2d%n", &separator, &tm.tm_hour, &tm.tm_min, &more) != 3 ||
            (separator != 'T' && separator != ' '))
            return std::nullopt;
        consumed += more;
        if (static_cast<std::size_t>(consumed) < copy.size()) {
            if (std::sscanf(copy.c_str() + consumed, ":%2d%n", &tm.tm_sec, &more) != 1) return std::nullopt;
            consumed += more;
        }
    }
    if (static_cast<std::size_t>(consumed) != copy.size()) return std::nullopt;
    if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
        tm.tm_sec > 59)
        return std::nullopt;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return TimePoint{std::chrono::seconds{::timegm(&tm)}};
}

std::string format_utc(TimePoint time) {
    const std::time_t seconds = std::chrono::duration_cast<std::chrono::seconds>(time.time_since_epoch()).count();
    std::tm tm{};
    ::gmtime_r(&seconds, &tm);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return text;
}

}  // namespace concierge::autoscale

// What a library's exception says, for the one line a failure prints: the line says what was
// being done, and this detail follows it.
#pragma once

#include <string>

namespace concierge::runtime {

/// The detail of the exception being handled (call it inside a catch block): POCO's
/// displayText(), as its what() names only the exception's class ("JSON Exception"); what() of
/// any other std::exception; "out of memory" for std::bad_alloc; "an exception of unknown type"
/// for anything else.
std::string current_exception_detail();

}  // namespace concierge::runtime

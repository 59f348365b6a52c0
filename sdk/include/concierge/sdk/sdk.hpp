// Everything a plugin needs, in one include.
#pragma once

#include <concierge/sdk/abi.hpp>
#include <concierge/sdk/context.hpp>
#include <concierge/sdk/exit_code.hpp>
#include <concierge/sdk/options.hpp>
#include <concierge/sdk/output.hpp>
#include <concierge/sdk/plugin.hpp>
#include <concierge/sdk/printable.hpp>
#include <concierge/sdk/status.hpp>

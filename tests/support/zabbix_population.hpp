// Fills a pristine Zabbix 6.0 or 7.0 (a sandbox instance, after a reset) with one or more
// objects of every configuration kind, referencing each other the way real configurations do:
// an action that names a trigger, a host group, a user group, a user, a media type and a global
// script; a dashboard that shows a host's graph; a map that uses a custom image and an icon map...
// Backup and restore tests then check that each kind, and each reference, survives.
//
//     zabbix::Client zbx(settings);
//     zbx.login();
//     const auto population = concierge::test::populate_every_kind(zbx);
//     // ... back up, restore elsewhere, look for population.trigger_action there
//
// Every name is fixed and starts with "DR " (or "dr." / "{$DR_"), so a test can find the objects
// by name in a backup or at the destination. The instance must be pristine: a second call on the
// same instance fails on the first duplicate name (each test resets the sandbox first).
#pragma once

#include <concierge/zabbix/client.hpp>

#include <map>
#include <string>

namespace concierge::test {

/// What populate_every_kind created: names (as *.get returns them in "name", "host", "username"
/// or "macro"), the values a test checks for, and the source's ids.
struct Population {
    // Hosts side: what the configuration objects below refer to.
    std::string hostgroup = "DR hosts";
    std::string template_name = "DR template";  ///< linked to `host`; also linked by the discovery action
    std::string host = "DR host";           ///< in `hostgroup`, monitored by `proxy_active`
    std::string item_key = "dr.load";       ///< trapper item on `host`
    std::string item = "DR load";
    std::string graph = "DR load graph";    ///< of `item`, shown by the dashboard's graph widget
    std::string trigger_description = "DR high load";
    std::string trigger_expression = "last(/DR host/dr.load)>5";

    // Users and permissions.
    std::string mediatype = "DR mail";  ///< email media type
    std::string mediatype_sendto = "ops@example.com";
    std::string role = "DR role";       ///< type 1 (user); services.read.list names `service_parent`
    std::string usergroup = "DR operators";  ///< read-write on `hostgroup`, a tag filter on it
    std::string user = "dr.operator";        ///< in `usergroup`, role `role`, media `mediatype`
    std::string user_password = "Kx7-Vq2!mPz9-tw";  ///< write-only: user.get never returns it

    // Global scripts.
    std::string script = "DR scale script";   ///< scope 1 (action operation), runs on the server
    std::string script_manual = "DR host script";  ///< scope 2 (manual host action), usrgrpid set
    std::string script_webhook = "DR webhook";     ///< scope 4 (manual event action), type 5

    // Proxies.
    std::string proxy_active = "DR proxy active";  ///< PSK (tls_accept 2); monitors `host`
    std::string proxy_psk_identity = "dr-psk-identity";  ///< write-only
    std::string proxy_psk = "e1f2a3b4c5d6a3b4c5d6a3b4c5d6a3b4c5d6a3b4c5d6a3b4c5d6a3b4c5d6e7f8";  ///< write-only
    std::string proxy_passive = "DR proxy passive";  ///< with an interface

    // Global macros.
    std::string macro_plain = "{$DR_CANARY}";
    std::string macro_plain_value = "canary-plain-7f3a";
    std::string macro_secret = "{$DR_SECRET}";  ///< type 1: usermacro.get never returns its value
    std::string macro_secret_value = "secret-canary-91c2";  ///< must never appear in any output
    std::string macro_vault = "{$DR_VAULT}";    ///< type 2: the value is a vault path
    std::string macro_vault_value = "secret/zabbix:password";

    // The rest of the configuration kinds.
    std::string maintenance = "DR maintenance";  ///< on `hostgroup` and `host`
    std::string drule = "DR discovery";          ///< two checks, via `proxy_active`
    std::string drule_local = "DR discovery local";  ///< one check, no proxy, disabled
    std::string service_parent = "DR service parent";  ///< parent of `service_child`, a status rule
    std::string service_child = "DR service child";    ///< problem tags
    std::string sla = "DR SLA";                  ///< on services tagged team=dr
    std::string image = "DR image";              ///< a 1x1 PNG icon
    std::string iconmap = "DR iconmap";          ///< default icon `image`
    std::string map = "DR map";                  ///< shows `host` and `hostgroup` with `image`, uses `iconmap`
    std::string dashboard = "DR dashboard";      ///< graph widget on `graph`, item widget, map widget on `map`
    std::string correlation = "DR correlation";
    std::string trigger_action = "DR trigger action";      ///< eventsource 0
    std::string discovery_action = "DR discovery action";  ///< eventsource 1
    std::string autoreg_action = "DR autoreg action";      ///< eventsource 2
    std::string internal_action = "DR internal action";    ///< eventsource 3

    /// The source's ids, by the member's name above ("hostgroup", "template_name", "trigger_action", "dcheck"...).
    std::map<std::string, std::string> ids;
};

/// Creates one or more objects of every configuration kind in a pristine Zabbix 6.0 or 7.0, with
/// references between them. The client must be logged in (or use a token) as a Super admin.
/// Throws what the client throws (zabbix::ApiError on a refused call).
Population populate_every_kind(concierge::zabbix::Client& client);

}  // namespace concierge::test

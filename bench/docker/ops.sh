#!/usr/bin/env bash
# The peer side of bench/docker.sh: the Engine API floors done with curl (and jq), and the resets
# run before each timed run. Not a benchmark by itself.
#   ops.sh bodies DIR         write DIR/body-N.json (N = 2..10): web_1 cloned as Compose would, once
#   ops.sh floor-up DIR       create and start web_2..web_10 from those bodies, all at once
#   ops.sh floor-down         list the service, then stop and remove every web replica but 1, all at once
#   ops.sh swarm-floor N      update the service to N replicas with its version, poll until N tasks run
#   ops.sh compose-web N      scale web to N with concierge (fast; only a reset between runs)
#   ops.sh swarm-reset N      set the swarm service to N replicas and wait until exactly N tasks run
# Env: SOCK (unix socket), PROJECT, SERVICE (swarm), CONCIERGE (binary).
set -euo pipefail
api() { curl -sf --unix-socket "$SOCK" "$@"; }
base=http://localhost/v1.41

running_tasks() {
  api "$base/tasks?filters=%7B%22service%22%3A%5B%22$SERVICE%22%5D%7D" |
    jq '[.[] | select(.Status.State == "running")] | length, ([.[] | select(.DesiredState == "running" and .Status.State != "running")] | length)' |
    paste -sd' '
}

case $1 in
  bodies)
    inspect=$(api "$base/containers/${PROJECT}_web_1/json")
    for n in $(seq 2 10); do
      jq --arg n "$n" '. as $c | $c.Config | del(.Hostname)
        | .Labels["com.docker.compose.container-number"] = $n
        | . + {HostConfig: $c.HostConfig,
               NetworkingConfig: {EndpointsConfig: ($c.NetworkSettings.Networks | map_values({Aliases: ["web"]}))}}' \
        <<<"$inspect" >"$2/body-$n.json"
    done ;;
  floor-up)
    for n in $(seq 2 10); do
      (id=$(api -X POST -H 'Content-Type: application/json' --data-binary "@$2/body-$n.json" \
              "$base/containers/create?name=${PROJECT}_web_$n" | jq -r .Id)
       api -X POST "$base/containers/$id/start") &
    done
    wait ;;
  floor-down)
    filters=$(jq -rn --arg p "$PROJECT" '{label: ["com.docker.compose.project=\($p)", "com.docker.compose.service=web"]} | @uri')
    for id in $(api "$base/containers/json?all=1&filters=$filters" |
                jq -r '.[] | select(.Labels["com.docker.compose.container-number"] != "1") | .Id'); do
      (api -X POST "$base/containers/$id/stop?t=10" && api -X DELETE "$base/containers/$id") &
    done
    wait ;;
  swarm-floor)
    inspected=$(api "$base/services/$SERVICE")
    version=$(jq .Version.Index <<<"$inspected")
    jq --argjson n "$2" '.Spec | .Mode.Replicated.Replicas = $n' <<<"$inspected" |
      api -X POST -H 'Content-Type: application/json' --data-binary @- "$base/services/$SERVICE/update?version=$version" >/dev/null
    until [[ $(running_tasks) == "$2 0" ]]; do sleep 0.05; done ;;
  compose-web)
    "$CONCIERGE" compose-scale web --replicas "$2" --project "$PROJECT" --stop-timeout 10s >/dev/null ;;
  swarm-reset)
    "$CONCIERGE" swarm-scale "$SERVICE" --replicas "$2" >/dev/null
    until [[ $(running_tasks) == "$2 0" ]]; do sleep 0.05; done ;;
  *) echo "ops.sh: unknown command $1" >&2; exit 2 ;;
esac

#!/bin/sh
# Example alert script: posts the alert's JSON document (stdin, docs/DESIGN.md section 6) to a
# webhook (Slack/Mattermost bridges, an incident tool, your own API). xenoflow passes only
# XENOFLOW_* and PATH, so the URL comes from a file next to this script (first line of
# webhook.url) rather than the environment. Key values are never put into a command line here:
# curl reads the body from stdin as is.
url_file="${0%/*}/webhook.url"
if [ ! -r "$url_file" ]; then
  echo "webhook.sh: no $url_file (put the webhook URL on its first line)" >&2
  exit 2
fi
IFS= read -r url < "$url_file" || [ -n "$url" ]
case "$url" in
  http://* | https://*) ;;
  *) echo "webhook.sh: $url_file does not hold an http(s) URL" >&2; exit 2 ;;
esac
# --max-time stays below the default script_timeout (30s), so a slow endpoint is reported by
# curl's own error rather than by the collector killing the script.
exec curl --silent --show-error --fail --max-time 20 \
  -H 'Content-Type: application/json' \
  -H "X-Xenoflow-Event: $XENOFLOW_EVENT" \
  --data-binary @- -- "$url"

#!/bin/sh
# The scraper, a small Prometheus. Every second it
#   1. finds its targets: every address the name $TARGETS (default: exporter) resolves to
#      on its networks (service discovery by DNS);
#   2. collects http://ADDRESS:9100/metrics from each, adding the label
#      instance="ADDRESS:9100" to every sample, and up{instance=...} 1 or 0;
#   3. evaluates the alerting rules in $RULES (re-read every time, so edits apply at once).
# It serves what it has at :9090: /metrics (everything collected), /targets, /rules and
# /alerts (the alerts firing now). It logs every alert that starts or stops firing.
#
# A rule is one line:   alert NAME if METRIC OP VALUE for DURATION
#   NAME      the alert's name, e.g. ServiceDown
#   METRIC    a metric's name; the rule looks at every series of it (every set of labels)
#   OP VALUE  ==, !=, <, <=, > or >= and a number
#   DURATION  how long the condition must hold before the alert fires: 0s, 2s, 1m
# e.g.        alert Busy if app_requests_total > 1000 for 5s
# Lines starting with # are comments.
names="${TARGETS:-exporter}"
rules="${RULES:-/etc/scraper/rules.txt}"
www=/tmp/www
state=/tmp/pending
mkdir -p "$www"
: > "$state"
for f in metrics targets rules alerts; do : > "$www/$f"; done
httpd -p 9090 -h "$www"
echo "scraper: targets are the addresses of '$names', rules from $rules; serving :9090"
trap 'exit 0' TERM INT

addresses() {
    for n in $names; do
        nslookup "$n" 2>/dev/null | sed -n '/^Name:/,$p' | sed -n 's/^Address[^:]*: *\([0-9.]*\).*/\1/p'
    done | sort -u
}

while true; do
    : > /tmp/collected
    : > /tmp/targets
    for a in $(addresses); do
        if body=$(timeout 2 wget -q -O - "http://$a:9100/metrics" 2>/dev/null); then
            echo "up{instance=\"$a:9100\"} 1" >> /tmp/collected
            printf '%s\n' "$body" | awk -v inst="$a:9100" '
                /^#/ || NF < 2 { next }
                {
                    name = $1; labels = ""
                    if (index(name, "{")) { labels = substr(name, index(name, "{") + 1); sub(/}$/, "", labels); name = substr(name, 1, index(name, "{") - 1) }
                    printf "%s{instance=\"%s\"%s} %s\n", name, inst, (labels == "" ? "" : "," labels), $2
                }' >> /tmp/collected
            echo "$a:9100 up" >> /tmp/targets
        else
            echo "up{instance=\"$a:9100\"} 0" >> /tmp/collected
            echo "$a:9100 down" >> /tmp/targets
        fi
    done
    mv /tmp/collected "$www/metrics"
    mv /tmp/targets "$www/targets"

    # The rules: parsed (or refused) into /rules, evaluated against what was collected.
    [ -f "$rules" ] || echo "# no rules file at $rules" > /tmp/rules-in
    [ -f "$rules" ] && cp "$rules" /tmp/rules-in
    awk -v now="$(date +%s)" -v rulesin=/tmp/rules-in -v state="$state" -v rulesout="$www/rules.tmp" -v logf=/tmp/transitions '
        function seconds(d,   n) {
            if (d ~ /^[0-9]+$/) return d + 0
            if (d ~ /^[0-9]+s$/) return substr(d, 1, length(d) - 1) + 0
            if (d ~ /^[0-9]+m$/) return 60 * substr(d, 1, length(d) - 1)
            return -1
        }
        function holds(v, op, x) {
            v += 0; x += 0
            if (op == "==") return v == x
            if (op == "!=") return v != x
            if (op == "<") return v < x
            if (op == "<=") return v <= x
            if (op == ">") return v > x
            if (op == ">=") return v >= x
            return 0
        }
        FILENAME == rulesin {
            line = $0; sub(/#.*/, "", line); sub(/^[ \t]+/, "", line); sub(/[ \t\r]+$/, "", line)
            if (line == "") next
            n = split(line, w, /[ \t]+/)
            d = seconds(w[8])
            if (n != 8 || w[1] != "alert" || w[3] != "if" || w[7] != "for" || w[5] !~ /^(==|!=|<|<=|>|>=)$/ || w[6] !~ /^-?[0-9.]+$/ || d < 0) {
                print "line " FNR ": not a rule (alert NAME if METRIC OP VALUE for DURATION): " $0 > rulesout
                next
            }
            r++; name[r] = w[2]; metric[r] = w[4]; op[r] = w[5]; value[r] = w[6]; wait[r] = d
            print "alert " w[2] " if " w[4] " " w[5] " " w[6] " for " d "s" > rulesout
            next
        }
        FILENAME == state { since[$1] = $2; firing[$1] = $3; next }
        {
            series = $1; m = series; sub(/\{.*/, "", m)
            labels = series; if (index(labels, "{")) labels = substr(labels, index(labels, "{")); else labels = "{}"
            for (i = 1; i <= r; i++)
                if (m == metric[i] && holds($2, op[i], value[i])) {
                    key = name[i] labels
                    active[key] = i
                }
        }
        END {
            printf "" > (state ".new")
            printf "" > "/tmp/alerts"
            for (key in active) {
                s = (key in since) ? since[key] : now
                f = (now - s >= wait[active[key]]) ? 1 : 0
                print key, s, f > (state ".new")
                if (f) {
                    print key " firing since " s > "/tmp/alerts"
                    if (!firing[key]) print "FIRING   " key > logf
                }
            }
            for (key in since) if (!(key in active) && firing[key]) print "RESOLVED " key > logf
        }' /tmp/rules-in "$state" "$www/metrics"
    touch "$www/rules.tmp" /tmp/alerts /tmp/transitions
    mv "$www/rules.tmp" "$www/rules"
    mv "$state.new" "$state"
    sort /tmp/alerts > "$www/alerts"
    [ -s /tmp/transitions ] && sed 's/^/scraper: alert /' /tmp/transitions
    : > /tmp/transitions
    sleep 1 &
    wait $!
done

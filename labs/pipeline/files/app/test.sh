#!/bin/sh
# The app's tests. They run in a throwaway container made from the image under test:
#   docker run --rm IMAGE sh /app/test.sh
# They start the app inside that container, check what it answers, and exit 0 only when
# every test passed. The health check only says the server is up; the tests say it is right.
sh /app/serve.sh >/tmp/serve.log 2>&1 &
i=0
until wget -q -O /dev/null http://127.0.0.1:8080/health 2>/dev/null; do
    i=$((i + 1))
    if [ "$i" -ge 50 ]; then
        echo "FAIL the app does not answer /health"
        cat /tmp/serve.log
        exit 1
    fi
    sleep 0.1
done

failed=0
result() {  # result NAME: ok when the previous command succeeded
    if [ $? -eq 0 ]; then echo "ok   $1"; else echo "FAIL $1"; failed=$((failed + 1)); fi
}
version=$(wget -q -O - http://127.0.0.1:8080/version)
greeting=$(wget -q -O - http://127.0.0.1:8080/greeting)

echo "$version" | grep -Eq '^[0-9]+\.[0-9]+\.[0-9]+$'
result "the version is MAJOR.MINOR.PATCH ($version)"
[ "$version" = "$(tr -d ' \n' < /app/VERSION)" ]
result "/version answers what VERSION says"
[ -n "$greeting" ]
result "the greeting is not empty"
[ "${#greeting}" -le 80 ]
result "the greeting fits on one line of 80 characters"

if [ "$failed" -gt 0 ]; then
    echo "$failed test(s) failed"
    exit 1
fi
echo "all tests passed"

#!/bin/sh
# verify: fail tests-in-throwaway-container
# The tests run in a container that is kept afterwards (no --rm): every commit leaves
# one behind.
set -eu
# The app, as a student copies it; the lab as it starts (blue live, no green yet).
cp -R "$LAB_COURSE_DIR/labs/$LAB_ID/files/app" app
sed 's|docker run --rm "\$image" sh /app/test.sh|docker run --label io.lab.project=$P --name "$P-test-$commit" "$image" sh /app/test.sh|' \
    "$LAB_COURSE_DIR/solutions/$LAB_ID/submission/pipeline.sh" > pipeline.new
mv pipeline.new pipeline.sh
chmod +x pipeline.sh
grep -q -- '--name "$P-test-$commit"' pipeline.sh

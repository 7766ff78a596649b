#!/bin/sh
# verify: fail tests-in-throwaway-container broken-commit-stays-out
# A pipeline without the test step: it relies on the health check alone, which a commit
# that breaks the greeting still passes.
set -eu
# The app, as a student copies it; the lab as it starts (blue live, no green yet).
cp -R "$LAB_COURSE_DIR/labs/$LAB_ID/files/app" app
# The reference pipeline, with step 2 (the tests) taken out.
awk '/^# 2\. Test/ { skip = 1 } /^# 3\./ { skip = 0 } !skip' "$LAB_COURSE_DIR/solutions/$LAB_ID/submission/pipeline.sh" > pipeline.new
mv pipeline.new pipeline.sh
chmod +x pipeline.sh
! grep -q test.sh pipeline.sh

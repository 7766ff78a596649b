#!/usr/bin/env python3
"""The same automation as automate.sh, the way the course guide does it: pexpect drives
an interactive `docker exec -it` session and answers each prompt when it appears.
Needs `python3 -m pip install pexpect`."""
import os
import sys

import pexpect

project = os.environ.get("LAB_PROJECT", "week2")
answer = input(f"Reconfigure the app of {project}? [y/N] ").strip().lower()
if answer not in ("y", "yes"):
    print("aborted: nothing changed")
    sys.exit(0)

wizard = pexpect.spawn(
    f"docker exec -it {project}-app sh /opt/app/configure.sh", encoding="utf-8", timeout=10
)
wizard.expect("Database host: ")
wizard.sendline("db")
wizard.expect(r"Database port \[5432\]: ")
wizard.sendline("5432")
wizard.expect(r"Mode \(development/production\): ")
wizard.sendline("production")
wizard.expect(r"\(yes/no\): ")
wizard.sendline("yes")
if wizard.expect(["saved", "nothing written", pexpect.EOF]) != 0:
    print("automation: FAILED (the wizard did not save)")
    sys.exit(1)
wizard.expect(pexpect.EOF)
print("automation: OK")

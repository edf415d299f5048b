"""Known vulnerabilities in the installed dependencies (pip-audit), for `make lint`.

Fails when pip-audit reports a vulnerability. When its vulnerability service
cannot be reached (pip-audit then skips every package as "not found"), says so
and passes: the check needs the index, and an unreachable index is not a
finding about the code.
"""

import json
import subprocess
import sys
from pathlib import Path

PIP_AUDIT = Path(sys.executable).with_name("pip-audit")


def main() -> int:
    run = subprocess.run([str(PIP_AUDIT), "--skip-editable", "--progress-spinner", "off", "--format", "json"],
                         capture_output=True, text=True, timeout=600)
    try:
        report = json.loads(run.stdout)
    except json.JSONDecodeError:
        print(f"pip-audit could not run (exit {run.returncode}); dependencies not audited:\n{run.stderr[-2000:]}")
        return 0
    dependencies = report.get("dependencies", [])
    audited = [d for d in dependencies if "skip_reason" not in d]
    vulnerable = [d for d in audited if d.get("vulns")]
    for dependency in vulnerable:
        for vuln in dependency["vulns"]:
            fixed = ", ".join(vuln.get("fix_versions") or []) or "no fixed release"
            print(f"{dependency['name']} {dependency['version']}: {vuln['id']} (fixed in {fixed})")
    if vulnerable:
        return 1
    if not audited:
        print(f"pip-audit: the vulnerability service was not reachable; {len(dependencies)} dependencies "
              "were not audited.")
        return 0
    print(f"pip-audit: no known vulnerabilities in {len(audited)} dependencies "
          f"({len(dependencies) - len(audited)} not found in the index).")
    return 0


if __name__ == "__main__":
    sys.exit(main())

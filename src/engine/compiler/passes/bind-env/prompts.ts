/**
 * bind-env's prompts and script template. Our own text throughout. The template has no
 * repository refresh in it: the policy check rejects `apt-get update` and the like, so a
 * template that contained one (as the reference's does) would fail its own check.
 */

export const EXTRACT_SYSTEM = `You read an agent skill (its SKILL.md and bundled files) and list what must be installed on a machine before an agent can follow it.

List every runtime dependency the skill's instructions or scripts use:
- Python packages its code imports or its instructions tell the agent to pip-install (type "pip"),
- Node packages installed globally or required by its scripts (type "npm"),
- command-line programs it runs, including interpreters named in shebangs (type "system"),
- external services it talks to that must already be running, such as a database (type "service").

Leave out: the Python and Node standard libraries; files that ship with the skill; the agent, its model and its tools; anything mentioned only as an example of what not to use.

For each dependency give:
- name: the name its installer uses. For pip use the PyPI distribution name (PyYAML, not yaml; Pillow, not PIL); keep a version requirement when the skill states one ("pandas>=2").
- type: pip, npm, system or service.
- command: for a system package whose executable has another name, that executable (package poppler-utils, command pdftotext).
- checkCommand: for a service only, a shell command that exits 0 when it is reachable.
- required: false only when the skill says it can do without.
- source: python-import, shell-command, comment, inferred or model — where you found it.
- confidence: 0 to 1.
- pythonModules: for pip, the import names it provides.
Do not write install commands; they are derived from the platform. Report an empty list when the skill needs nothing.`;

export function extractPrompt(hints: readonly { modules: string[]; package: string; count: number }[], context: string, leftOut: readonly string[]): string {
  const hintLines = hints.length ? hints.map((h) => `- ${h.modules.join(', ')} → ${h.package} (imported ${h.count}×)`).join('\n') : 'none found';
  const omitted = leftOut.length ? `\n\nFiles not shown (over the size budget): ${leftOut.join(', ')}` : '';
  return `Third-party Python imports found by a static scan (import → package):\n${hintLines}\n\nThe skill's files:\n\n${context}${omitted}`;
}

/** The shape every generated script follows; the model fills one block per dependency. */
export const SCRIPT_TEMPLATE = `#!/bin/bash
# Prepares this machine for the skill. Safe to run again: everything is checked before it is installed.
set -euo pipefail

log() { printf '[env-setup] %s\\n' "$*"; }
warn() { printf '[env-setup] WARNING: %s\\n' "$*" >&2; }

FAILED=0

# --- <dependency name> (<type>) ---
if <check command> >/dev/null 2>&1; then
  log "<name>: already present"
else
  log "<name>: installing"
  <install command> || { warn "<name>: install failed"; FAILED=$((FAILED + 1)); }
fi

# (a service is only checked: when missing, warn "<name>: not reachable; start it before using the skill" and do not count it)

if [ "$FAILED" -gt 0 ]; then
  warn "$FAILED dependencies could not be installed"
  exit 1
fi
log "all dependencies present"
`;

const SCRIPT_RULES = `Rules:
- Start with #!/bin/bash and set -euo pipefail; keep the log and warn helpers.
- One block per dependency, in the order given, each checking first and installing only when the check fails; send check output to /dev/null.
- Use each dependency's checkCommand and installCommand exactly as given; do not invent other install methods.
- Catch an install failure with || and count it in FAILED; an optional dependency (required: false) only warns.
- Services are checked and warned about, never installed or counted.
- Never refresh or upgrade package repositories (no apt-get update, apt upgrade, yum/dnf update, brew update or upgrade, choco upgrade, winget upgrade).
- Write messages in English. Output only the script, with no explanation around it.`;

export function generatePrompt(depsJson: string, platformJson: string, policyJson: string): string {
  return `Write a bash script that makes sure these dependencies are installed, following this template:\n\n${SCRIPT_TEMPLATE}\n${SCRIPT_RULES}\n\nDependencies:\n${depsJson}\n\nPlatform:\n${platformJson}\n\nInstall policy:\n${policyJson}`;
}

export const GENERATE_SYSTEM = 'You write small, careful, idempotent bash scripts that prepare a machine for a task. You answer with the script only.';

export const REPAIR_SYSTEM = `You fix a bash environment-setup script that failed when it was run. Keep it idempotent (check before installing), in strict mode (set -euo pipefail), in English, using the given check and install commands. Guard against a package manager or interpreter that is missing instead of assuming it. Never refresh or upgrade package repositories. Answer with the complete corrected script only.`;

export function repairPrompt(a: { attempt: number; maxAttempts: number; failure: string; script: string; depsJson: string; platformJson: string }): string {
  return `Attempt ${a.attempt} of ${a.maxAttempts} failed.\n\nWhat went wrong:\n${a.failure}\n\nThe script:\n${a.script}\n\nDependencies:\n${a.depsJson}\n\nPlatform:\n${a.platformJson}`;
}

#!/usr/bin/env bash
# Checks the Kubernetes manifests without a cluster: each overlay in deploy/kubernetes/overlays
# is rendered with kustomize (kubectl), validated strictly against Kubernetes' own schemas,
# and scanned by checkov's Kubernetes policies; a failed policy check fails, unless the
# object skips it with an inline annotation that gives the reason. The tools, pinned in
# deploy/requirements.txt, live in their own virtualenv (reinstalled when the file changes).
set -euo pipefail
cd "$(dirname "$0")/.."

KUBERNETES_VERSION=1.37.0
VENV=${MANIFEST_TOOLS_VENV:-.venv-manifests}
RENDERED=$(mktemp -d)
trap 'rm -rf "$RENDERED"' EXIT

if ! cmp -s deploy/requirements.txt "$VENV/requirements.txt" 2>/dev/null; then
    echo "==> Installing the manifest tools into $VENV"
    rm -rf "$VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
        -r deploy/requirements.txt
    cp deploy/requirements.txt "$VENV/requirements.txt"
fi

for overlay in deploy/kubernetes/overlays/*/; do
    name=$(basename "$overlay")
    out=$RENDERED/$name.yaml
    echo "==> $overlay"
    "$VENV/bin/kubectl" kustomize "$overlay" >"$out"
    echo "  rendered $(grep -c '^kind:' "$out") objects with kubectl $("$VENV/bin/kubectl" \
        version --client -o json | "$VENV/bin/python" -c 'import json, sys
print(json.load(sys.stdin)["clientVersion"]["gitVersion"])')"

    "$VENV/bin/kubernetes-validate" --strict --quiet -k "$KUBERNETES_VERSION" "$out"
    echo "  valid against Kubernetes $KUBERNETES_VERSION (strict)"

    "$VENV/bin/python" - "$out" <<'PY'
"""What the schemas cannot say: no secret values, graceful shutdown that fits its window."""
import sys

import yaml

objects = [o for o in yaml.safe_load_all(open(sys.argv[1])) if o]
problems = []
if any(o["kind"] == "Secret" for o in objects):
    problems.append("a Secret is rendered: secret values never live in the repository")
config = {}
for o in objects:
    if o["kind"] == "ConfigMap":
        config.update(o["data"])
for o in objects:
    for key, value in o["metadata"].get("annotations", {}).items():
        if key.startswith("checkov.io/skip") and "=" not in value:
            problems.append(f"{o['kind']}/{o['metadata']['name']}: {key} gives no reason")
    if o["kind"] != "Deployment":
        continue
    spec = o["spec"]["template"]["spec"]
    pause = sum(c.get("lifecycle", {}).get("preStop", {}).get("sleep", {}).get("seconds", 0)
                for c in spec["containers"])
    graceful = int(config.get("GUNICORN_GRACEFUL_TIMEOUT", "0"))
    if not graceful or spec["terminationGracePeriodSeconds"] <= pause + graceful:
        problems.append(
            f"terminationGracePeriodSeconds must exceed the preStop pause ({pause} s) plus "
            f"GUNICORN_GRACEFUL_TIMEOUT ({graceful or 'unset'} s)"
        )
    if o["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] != 0:
        problems.append("a rolling update must keep every serving pod (maxUnavailable: 0)")
for problem in problems:
    print(f"  FAIL  {problem}")
sys.exit(1 if problems else 0)
PY
    echo "  no Secret rendered; shutdown fits its grace period; every policy skip has a reason"

    # --skip-download: no network; checkov runs its bundled policies only.
    "$VENV/bin/checkov" --framework kubernetes --file "$out" --skip-download --compact \
        --quiet >"$RENDERED/$name.checkov" || { cat "$RENDERED/$name.checkov"; exit 1; }
    sed -n 's/^Passed checks/  checkov: passed checks/p' "$RENDERED/$name.checkov"
done
echo "manifests: all checks passed"

#!/usr/bin/env python3
"""Validates exported Kueue manifests against Kueue's CRD schemas, as an API server would.

Usage: scripts/validate-kueue.py CRD_DIR MANIFEST_DIR

Every YAML document under MANIFEST_DIR is checked: a kueue.x-k8s.io object against the
openAPIV3Schema of its kind and version in CRD_DIR (unknown fields refused, as a structural
schema prunes or, with strict field validation, rejects them), a core v1 Namespace for a valid
name. The CEL rules (x-kubernetes-validations) that matter for what Switchyard writes are
checked by hand. Prints one line per problem, "file: kind/name: message"; exits 1 if any.
"""
import glob
import os
import re
import sys

import jsonschema
import yaml

DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


def strict(schema):
    """The schema with additionalProperties false wherever it lists properties (structural)."""
    if isinstance(schema, dict):
        out = {k: strict(v) for k, v in schema.items()}
        # Go's RE2 takes a flag after ^ ("^(?i)..."); Python only at the very start.
        if isinstance(out.get("pattern"), str) and out["pattern"].startswith("^(?i)"):
            out["pattern"] = "(?i)^" + out["pattern"][5:]
        if "properties" in out and "additionalProperties" not in out and not out.get(
            "x-kubernetes-preserve-unknown-fields"
        ):
            out["additionalProperties"] = False
        # int-or-string quantities: accept either.
        if out.get("x-kubernetes-int-or-string"):
            out.pop("type", None)
            out["anyOf"] = [{"type": "integer"}, {"type": "string", "pattern": out.pop("pattern", ".*")}]
        return out
    if isinstance(schema, list):
        return [strict(v) for v in schema]
    return schema


def load_schemas(crd_dir):
    schemas = {}
    for path in glob.glob(os.path.join(crd_dir, "*.yaml")):
        crd = yaml.safe_load(open(path))
        group = crd["spec"]["group"]
        kind = crd["spec"]["names"]["kind"]
        for version in crd["spec"]["versions"]:
            schema = strict(version["schema"]["openAPIV3Schema"])
            # metadata is the API server's: name, namespace, labels, annotations.
            schema["properties"]["metadata"] = {"type": "object"}
            schemas[(f"{group}/{version['name']}", kind)] = schema
    return schemas


def cel_checks(doc):
    """The CEL rules of the kinds written, as the API server would apply them."""
    kind, spec = doc.get("kind"), doc.get("spec") or {}
    problems = []
    if kind == "ClusterQueue":
        for group in spec.get("resourceGroups", []):
            for flavor in group["flavors"]:
                if len(flavor["resources"]) != len(group["coveredResources"]):
                    problems.append("flavors must have the same number of resources as the coveredResources")
                for r in flavor["resources"]:
                    if "cohortName" not in spec and "borrowingLimit" in r:
                        problems.append("borrowingLimit must be nil when cohort is empty")
                    if "lendingLimit" in r and int(r["lendingLimit"]) > int(r["nominalQuota"]):
                        problems.append("lendingLimit must be at most nominalQuota")
        flavors = [f["name"] for g in spec.get("resourceGroups", []) for f in g["flavors"]]
        if len(flavors) != len(set(flavors)):
            problems.append("a flavor appears in more than one resource group")
    if kind == "ResourceFlavor" and "topologyName" in spec and not spec.get("nodeLabels"):
        problems.append("at least one nodeLabel is required when topology is set")
    if kind == "MultiKueueConfig" and len(set(spec["clusters"])) != len(spec["clusters"]):
        problems.append("clusters must be unique")
    if kind == "Topology" and spec["levels"][-1]["nodeLabel"] != "kubernetes.io/hostname":
        problems.append("kubernetes.io/hostname should be the lowest level")
    return problems


def main():
    crd_dir, manifest_dir = sys.argv[1], sys.argv[2]
    schemas = load_schemas(crd_dir)
    problems = []
    count = 0
    for path in sorted(glob.glob(os.path.join(manifest_dir, "**", "*.yaml"), recursive=True)):
        for doc in yaml.safe_load_all(open(path)):
            if doc is None:
                continue
            count += 1
            meta = doc.get("metadata") or {}
            where = f"{os.path.relpath(path, manifest_dir)}: {doc.get('kind')}/{meta.get('name')}"
            name = meta.get("name", "")
            if not DNS_LABEL.match(name) or len(name) > 63:
                problems.append(f"{where}: name is not a DNS-1123 label")
            for key, value in (meta.get("labels") or {}).items():
                if not isinstance(value, str) or len(value) > 63 or not re.match(
                    r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$", value
                ):
                    problems.append(f"{where}: label {key} has an invalid value {value!r}")
            if doc.get("apiVersion") == "v1" and doc.get("kind") == "Namespace":
                continue
            schema = schemas.get((doc.get("apiVersion"), doc.get("kind")))
            if schema is None:
                problems.append(f"{where}: no schema for {doc.get('apiVersion')} {doc.get('kind')}")
                continue
            validator = jsonschema.Draft7Validator(schema)
            for error in sorted(validator.iter_errors(doc), key=lambda e: list(e.path)):
                location = ".".join(str(p) for p in error.path)
                problems.append(f"{where}: {location}: {error.message}")
            problems += [f"{where}: {p}" for p in cel_checks(doc)]
    for p in problems:
        print(p)
    print(f"{count} document(s) checked, {len(problems)} problem(s)", file=sys.stderr)
    sys.exit(1 if problems or count == 0 else 0)


if __name__ == "__main__":
    main()

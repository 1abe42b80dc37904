#!/usr/bin/env bash
# Embeds docs/openapi.yaml (the API's description, edited by hand) into the server, so the binary
# serves it at /openapi.json without resource files. A test fails when the two differ.
set -euo pipefail
cd "$(dirname "$0")/.."
out=Sources/SwitchyardServer/OpenAPIDocument.swift
{
  echo '// Generated from docs/openapi.yaml by scripts/embed-openapi.sh (make openapi): edit the YAML, not this.'
  echo '// swift-format-ignore-file'
  echo 'enum OpenAPIDocument {'
  echo '    static let yaml = #"""'
  cat docs/openapi.yaml
  echo '"""#'
  echo '}'
} > "$out"
echo "wrote $out"

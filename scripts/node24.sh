# Source this file (`. scripts/node24.sh`) to run qrlog on Node 24 LTS when the system Node is older.
# It installs Node 24 from the npm registry (the `node` package ships the binary and its headers)
# into ~/.cache/qrlog-node once, puts it first on PATH, and points native module builds at its
# headers, so better-sqlite3 and argon2 are compiled for the Node that runs them.
QRLOG_NODE_PREFIX="${QRLOG_NODE_PREFIX:-$HOME/.cache/qrlog-node}"
QRLOG_NODE_PKG="$QRLOG_NODE_PREFIX/node_modules/node"
if [ ! -x "$QRLOG_NODE_PKG/bin/node" ]; then
  # Several shells may source this at once (parallel jobs): one installs, the others wait for it.
  mkdir -p "$QRLOG_NODE_PREFIX"
  (
    flock 9
    [ -x "$QRLOG_NODE_PKG/bin/node" ] || npm install --prefix "$QRLOG_NODE_PREFIX" --no-audit --no-fund --no-save node@24 >&2
  ) 9>"$QRLOG_NODE_PREFIX/.install-lock"
fi
export PATH="$QRLOG_NODE_PKG/bin:$PATH"
export npm_config_nodedir="$QRLOG_NODE_PKG/node_modules/node-$(node -p "process.platform + '-' + process.arch")"

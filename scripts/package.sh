#!/usr/bin/env bash
# Builds the Debian package: dist/agentdb_<version>_amd64.deb (a Release build installed under
# /usr, packaged by CPack with Depends from dpkg-shlibdeps), then checks it with lintian.
#   scripts/package.sh            build dir: build-package
#   AGENTDB_PACKAGE_BUILD=DIR     another Release build dir configured with -DCMAKE_INSTALL_PREFIX=/usr
#                                 (CI reuses build-ci: only what the package adds is built)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh >&2
build=${AGENTDB_PACKAGE_BUILD:-build-package}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DAGENTDB_TESTS=OFF -DAGENTDB_WERROR=ON \
  -DCMAKE_INSTALL_PREFIX=/usr >/dev/null
cmake --build "$build" -j"$(nproc)" >&2
rm -f dist/agentdb_*.deb
(cd "$build" && cpack -G DEB >/dev/null)
deb=$(ls dist/agentdb_*_amd64.deb)
# Errors fail the build; the warnings kept are listed with their reason in packaging/README.md.
lintian --fail-on error --suppress-tags-from-file packaging/lintian-kept "$deb" >&2
echo "$deb"

#!/usr/bin/env bash
# Builds what eeops ships from the release binary, and installs or removes it (the Makefile's install, uninstall,
# deb and dist targets call this; docs/install.md explains them).
#
#   package.sh shipped                   .build/shipped/eeops: the release binary, stripped
#   package.sh stage                     the installed tree in .build/stage: the shipped binary, the man pages
#                                        (generate-manual, from the argument parser), the completions
#   package.sh install   DESTDIR PREFIX  copies the staged files listed in packaging/installed-files
#   package.sh uninstall DESTDIR PREFIX  removes exactly those files
#   package.sh deb                       dist/eeops_VERSION_ARCH.deb, its Depends read off the binary
#   package.sh dist                      dist/eeops-VERSION-linux-MACHINE.tar.gz and its .sha256
set -euo pipefail
cd "$(dirname "$0")/.."
umask 022

readonly stage=.build/stage
readonly release_binary=.build/release/eeops
readonly shipped_binary=.build/shipped/eeops
readonly file_list=packaging/installed-files
readonly output=dist
version=$(tr -d ' \n' < VERSION)
readonly version
# The maintainer named in the package and its changelog; a fork or a distribution sets its own.
readonly maintainer=${DEB_MAINTAINER:-"eeops developers <eeops@users.noreply.github.com>"}
# Dates in the man pages, the changelog and the archives: the commit's, so that a rebuild gives the same files.
source_date_epoch=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}
export SOURCE_DATE_EPOCH=$source_date_epoch

die() { echo "package: $*" >&2; exit 1; }

# The installed files, one path relative to PREFIX per line (the list's comments left out).
listed_files() { grep -v -e '^#' -e '^$' "$file_list"; }

shipped() {
  [ -x "$release_binary" ] || die "$release_binary is missing: run make release"
  mkdir -p "$(dirname "$shipped_binary")"
  strip --strip-unneeded --remove-section=.comment --remove-section=.note -o "$shipped_binary.tmp" "$release_binary"
  mv "$shipped_binary.tmp" "$shipped_binary"
}

stage() {
  [ -x "$shipped_binary" ] || die "$shipped_binary is missing: run make shipped"
  rm -rf "$stage" && mkdir -p "$stage/bin"
  cp "$shipped_binary" "$stage/bin/eeops"

  # One page per command, from argument-parser's generate-manual tool run on the shipped binary itself: the
  # manual plugin would build the package's products again (in a configuration whose flags differ from make
  # release's, so that every Swift module was compiled once more). The tool is built in the debug configuration,
  # which no other stage of a release or CI uses.
  local pages=.build/manual
  rm -rf "$pages" && mkdir -p "$pages"
  swift build --product generate-manual >/dev/null
  "$(swift build --show-bin-path)/generate-manual" "$shipped_binary" --multi-page \
    --date "$(date -u -d "@$source_date_epoch" +%Y-%m-%d)" --output-directory "$pages" >/dev/null
  mkdir -p "$stage/share/man/man1"
  cp "$pages"/*.1 "$stage/share/man/man1/"

  local completions=(
    "bash share/bash-completion/completions/eeops"
    "zsh share/zsh/site-functions/_eeops"
    "fish share/fish/vendor_completions.d/eeops.fish"
  )
  local entry shell path
  for entry in "${completions[@]}"; do
    read -r shell path <<<"$entry"
    mkdir -p "$stage/$(dirname "$path")"
    # Completions are sourced, not run: the bash script's #! line goes.
    "$stage/bin/eeops" --generate-completion-script "$shell" | sed '1{/^#!/d}' > "$stage/$path"
  done

  if ! diff <(cd "$stage" && find . -type f | sed 's|^\./||' | sort) <(listed_files | sort) >&2; then
    die "the staged files (<) differ from $file_list (>): update the list"
  fi
  echo "package: staged eeops $version in $stage"
}

# The install root for DESTDIR and PREFIX: PREFIX must be absolute; a leading ~ (which zsh leaves unexpanded in
# make's arguments) is the home folder.
install_root() {
  local destdir=$1 prefix=$2
  case "$prefix" in "~") prefix=$HOME ;; "~/"*) prefix="$HOME/${prefix#"~/"}" ;; esac
  case "$prefix" in /*) ;; *) die "PREFIX must be an absolute path, not '$prefix'" ;; esac
  printf '%s%s' "$destdir" "${prefix%/}"
}

# The record of one install, under PREFIX: every file it wrote and every folder it created, which uninstall
# removes (and nothing else), whatever version of the list the checkout holds by then.
readonly manifest=share/eeops/install-manifest

install_files() {
  local root file mode folder created=()
  root=$(install_root "$1" "$2")
  [ -f "$stage/bin/eeops" ] || die "nothing staged: run make stage (as yourself, before sudo make install)"
  if [ -f "$root/$manifest" ]; then uninstall_files "$1" "$2"; fi
  # The prefix itself is the user's (~/.local, say): made when missing, and left in place by uninstall. The folders
  # this install creates inside it are recorded, outermost first, so that uninstall can remove them when empty.
  mkdir -p "$root"
  while read -r file; do
    folder=$(dirname "$root/$file")
    local missing=()
    while [ ! -d "$folder" ]; do missing=("$folder" "${missing[@]}"); folder=$(dirname "$folder"); done
    for folder in "${missing[@]}"; do
      mkdir -m 0755 "$folder"
      created+=("${folder#"$root"/}")
    done
  done < <(listed_files; echo "$manifest")
  {
    printf '# Written by make install of eeops %s; make uninstall removes what it lists.\n' "$version"
    for folder in "${created[@]}"; do printf 'folder %s\n' "$folder"; done
  } > "$root/$manifest.tmp"
  while read -r file; do
    mode=0644; [ "$file" = bin/eeops ] && mode=0755
    install -m "$mode" "$stage/$file" "$root/$file"
    printf 'file %s\n' "$file" >> "$root/$manifest.tmp"
    echo "installed $root/$file"
  done < <(listed_files)
  printf 'file %s\n' "$manifest" >> "$root/$manifest.tmp"
  chmod 0644 "$root/$manifest.tmp"
  mv "$root/$manifest.tmp" "$root/$manifest"
}

uninstall_files() {
  local root kind path folders=()
  root=$(install_root "$1" "$2")
  [ -f "$root/$manifest" ] || die "no eeops install under $root (no $manifest)"
  while read -r kind path; do
    case "$kind" in
      file) if [ -e "$root/$path" ] || [ -L "$root/$path" ]; then rm -f "$root/$path"; echo "removed $root/$path"; fi ;;
      folder) folders=("$path" "${folders[@]}") ;;
    esac
  done < <(grep -v '^#' "$root/$manifest")
  # Innermost first; a folder that now holds something else stays.
  for path in "${folders[@]}"; do rmdir "$root/$path" 2>/dev/null || true; done
}

# CHANGELOG.md as a Debian changelog: each "## VERSION (DATE)" entry, its "- " lines as "  * ".
debian_changelog() {
  local heading line entry_version entry_date started=0
  while IFS= read -r line; do
    if [[ $line =~ ^##\ ([^ ]+)\ \(([0-9-]+)\)$ ]]; then
      [ "$started" = 1 ] && printf '\n -- %s  %s\n\n' "$maintainer" "$heading"
      entry_version=${BASH_REMATCH[1]} entry_date=${BASH_REMATCH[2]}
      heading=$(LC_ALL=C date -u -R -d "$entry_date 12:00")
      printf 'eeops (%s) unstable; urgency=medium\n\n' "$entry_version"
      started=1
    elif [ "$started" = 1 ] && [[ $line == "- "* ]]; then
      printf '  * %s\n' "${line#- }"
    elif [ "$started" = 1 ] && [[ $line == "  "* ]]; then
      printf '    %s\n' "${line#  }"
    fi
  done < CHANGELOG.md
  [ "$started" = 1 ] || die "CHANGELOG.md has no '## VERSION (DATE)' entry"
  printf '\n -- %s  %s\n' "$maintainer" "$heading"
}

# A package is built from a commit: a binary built from a work tree with changes names no commit one can check out.
refuse_dirty_build() {
  if "$stage/bin/eeops" --version | grep -q -- '-dirty)'; then
    [ "${ALLOW_DIRTY:-0}" = 1 ] || die "the binary was built from a work tree with changes ($("$stage/bin/eeops" --version)); commit them, or set ALLOW_DIRTY=1 for a package to try out"
  fi
}

deb() {
  [ -f "$stage/bin/eeops" ] || die "nothing staged: run make stage"
  refuse_dirty_build
  local latest
  latest=$(grep -m1 '^## ' CHANGELOG.md)
  [[ $latest == "## $version ("* ]] || die "CHANGELOG.md's latest entry is '$latest', not version $version"
  local arch root doc shlibs
  arch=$(dpkg --print-architecture)
  root=.build/deb/eeops_${version}_$arch
  rm -rf "$root" && mkdir -p "$root/DEBIAN"

  install -D -m 0755 "$stage/bin/eeops" "$root/usr/bin/eeops"
  mkdir -p "$root/usr/share/man/man1"
  local page
  for page in "$stage"/share/man/man1/*.1; do
    gzip -9n < "$page" > "$root/usr/share/man/man1/$(basename "$page").gz"
  done
  install -D -m 0644 "$stage/share/bash-completion/completions/eeops" "$root/usr/share/bash-completion/completions/eeops"
  # Debian's zsh reads its packages' completions from vendor-completions (site-functions is for the local admin).
  install -D -m 0644 "$stage/share/zsh/site-functions/_eeops" "$root/usr/share/zsh/vendor-completions/_eeops"
  install -D -m 0644 "$stage/share/fish/vendor_completions.d/eeops.fish" "$root/usr/share/fish/vendor_completions.d/eeops.fish"
  doc=$root/usr/share/doc/eeops
  install -D -m 0644 packaging/debian/copyright "$doc/copyright"
  install -D -m 0644 packaging/debian/lintian-overrides "$root/usr/share/lintian/overrides/eeops"
  debian_changelog | gzip -9n > "$doc/changelog.gz"

  # Depends: the packages that hold the libraries the binary links (libc6, libncursesw6, ...), as dpkg-shlibdeps
  # finds them; it wants a debian/control of the source package to work from.
  shlibs_scratch=$(mktemp -d)
  trap 'rm -rf "$shlibs_scratch"' EXIT
  mkdir -p "$shlibs_scratch/debian"
  printf 'Source: eeops\n\nPackage: eeops\nArchitecture: any\n' > "$shlibs_scratch/debian/control"
  shlibs=$(cd "$shlibs_scratch" && dpkg-shlibdeps -O -e"$OLDPWD/$root/usr/bin/eeops" | sed -n 's/^shlibs:Depends=//p')
  [ -n "$shlibs" ] || die "dpkg-shlibdeps found no libraries for $root/usr/bin/eeops"

  cat > "$root/DEBIAN/control" <<CONTROL
Package: eeops
Version: $version
Architecture: $arch
Maintainer: $maintainer
Installed-Size: $(du -sk --exclude=DEBIAN "$root" | cut -f1)
Depends: $shlibs
Section: utils
Priority: optional
Description: manage Google Earth Engine batch operations from the terminal
 eeops lists a project's Earth Engine batch operations (exports, ingestions),
 shows each one's state change live and cancels them in bulk within the API's
 quotas: in a full-screen terminal interface, or from scripts with table, JSON,
 JSON lines and CSV output.
 .
 It carries an emulator of the Earth Engine Operations API, so that
 "eeops demo" shows it at work without an account.
CONTROL
  (cd "$root" && find usr -type f -print0 | LC_ALL=C sort -z | xargs -0 md5sum) > "$root/DEBIAN/md5sums"
  chmod 0644 "$root/DEBIAN/control" "$root/DEBIAN/md5sums"
  find "$root" -type d -exec chmod 0755 {} +
  find "$root" -exec touch -h -d "@$source_date_epoch" {} +

  mkdir -p "$output"
  local package="$output/eeops_${version}_$arch.deb"
  dpkg-deb --root-owner-group -Zxz --build "$root" "$package" >/dev/null
  echo "package: built $package (Depends: $shlibs)"
}

dist() {
  [ -f "$stage/bin/eeops" ] || die "nothing staged: run make stage"
  refuse_dirty_build
  local name scratch
  name=eeops-$version-linux-$(uname -m)
  scratch=.build/dist/$name
  rm -rf "$scratch" && mkdir -p "$scratch"
  cp -R "$stage"/. "$scratch/"
  cp README.md LICENSE CHANGELOG.md "$scratch/"
  mkdir -p "$output"
  tar --sort=name --mtime="@$source_date_epoch" --owner=0 --group=0 --numeric-owner -C .build/dist -cf - "$name" \
    | gzip -9n > "$output/$name.tar.gz"
  (cd "$output" && sha256sum "$name.tar.gz" > "$name.tar.gz.sha256")
  echo "package: built $output/$name.tar.gz and $output/$name.tar.gz.sha256"
}

case "${1:-}" in
  shipped) shipped ;;
  stage) stage ;;
  install) install_files "${2-}" "${3:?PREFIX}" ;;
  uninstall) uninstall_files "${2-}" "${3:?PREFIX}" ;;
  deb) deb ;;
  dist) dist ;;
  *) die "usage: package.sh shipped | stage | install DESTDIR PREFIX | uninstall DESTDIR PREFIX | deb | dist" ;;
esac

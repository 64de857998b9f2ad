// Package resolve works out which files an image takes from Debian
// packages: the files a list names (paths or globs inside a package) and,
// for every ELF file among them, the shared libraries the dynamic loader
// will load for it, found as the loader finds them (the ELF's DT_RUNPATH or
// DT_RPATH, then the multiarch and plain library directories) and followed
// to their own needs until nothing is missing. Symbolic links are kept as
// links, with what they point at.
//
// A library that no package fetched so far holds is looked for among the
// dependencies of the package whose file needs it, most similar name
// first, and only the package that really holds it is used. A package's
// whole dependency list is never taken: pulseaudio's pulls glib, D-Bus
// helpers, systemd and X11 libraries that the programs an image runs never
// load.
//
// The packages come from an Archive: Debian fetches them with apt-get
// download and unpacks them with dpkg-deb (the host's own architecture's
// packages are never touched, so arm64 files can be taken on an amd64
// host); tests use a directory tree.
package resolve

// Package fdt reads and writes flattened device trees (DTB files, the
// devicetree specification's binary form, version 17) and answers the
// questions an SD-card image needs of one: which board the tree is for
// (the root's compatible), and which GPIO lines the kernel will own
// because a node names them in a *-gpios or gpio property, a GPIO hog, or
// a pin group it muxes to a peripheral.
//
// It is a host tool's library (tools/sdimage and its tests), not firmware:
// the handset reads its own tree through /proc/device-tree.
package fdt

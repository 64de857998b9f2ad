// Package archtest checks the house's import rules, so that the layering
// described in docs/ARCHITECTURE.md is enforced by `go test` rather than by
// review.
//
// The house has libraries (board, drivers/..., iax/..., telephony/...),
// programs (firmware/..., tools/...) and internal/, which only programs and
// tests share. The rules:
//
//   - program-import: a library never imports a program. Programs sit on
//     top; a library that needs one has its layers upside down.
//   - cross-library-import: iax, drivers and telephony never import each
//     other, so each can be used, tested and replaced alone; the agents
//     join them. The one exception is that drivers/audio and its
//     subpackages may import telephony/media for its frame types. board is
//     not one of the three and may import drivers.
//   - tools-on-handset: firmware/... never imports tools/..., because
//     nothing that runs on the handset may link code written for the
//     developer's host. (A library importing tools/ is already a
//     program-import and is reported once, as that.)
//   - internal-in-api: no exported identifier of a library mentions an
//     internal/ type (the module's internal/... or any nested
//     .../internal/...) in a signature, an exported field, an embedded type,
//     a method of an exported type, the type of an exported var or const, a
//     type parameter's constraint or an alias. The libraries are for third
//     parties too, and a third party can neither name nor fake a type it
//     cannot import. Unexported identifiers and function bodies may use
//     internal packages freely.
//
// The first three rules read the imports `go list -json` reports for the
// build of the running platform (the handset's GOOS is the host's: linux).
// An import of a package no rule governs (the module's own internal/...)
// is followed through, so that a library cannot reach a program, or
// telephony reach iax, by way of internal/. Libraries' test files are held
// to program-import and tools-on-handset as well: a library test that needs
// a program is a layering smell. Those violations are marked Test, so a
// caller can judge them apart.
//
// The fourth rule needs the type checker: Check loads the library packages
// with golang.org/x/tools/go/packages and walks the exported objects of
// each package scope through the structure of their types.
//
// TestHouseRules runs Check on the repository; TestCheckBadModule runs it
// on testdata/badmod, a small module laid out like the house with known
// violations, which proves the checker finds them at the right lines.
package archtest

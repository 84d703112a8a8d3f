// Package manifest parses and checks import manifests (SPEC §3). It is pure:
// no I/O, no store access.
//
// Decisions where the SPEC is silent:
//   - A UTF-8 BOM, CRLF line ends, tabs and other JSON whitespace are fine.
//   - Keys match ignoring case and surrounding whitespace (fileName, FileName,
//     filename, " FILENAME "), at the top level and inside a column mapping.
//     Unknown keys are ignored. A key given twice (in any case) is a problem.
//     A key whose value is null counts as absent.
//   - Values are trimmed of surrounding whitespace. type is matched ignoring
//     case; dataType ignoring case; dateFormat ignoring case and runs of
//     whitespace ("unix", "DD/MM/YYYY  HH:MM:SS" are fine: case cannot make
//     two of the six formats collide). They are stored in canonical spelling.
//   - A dateFormat with no dataType means DATE. A dateFormat on a column of
//     another dataType is ignored and dropped (it cannot change anything).
//   - Column names (keys of columns) are the exact CSV header text; an empty
//     one or one given twice is a problem. Columns that the data file does
//     not have are allowed (one manifest layout may serve many files).
//   - fileName must be a plain name (no '/', '\', control characters) with
//     something before one of DataFileExtensions, matched ignoring case.
//   - keyId is required (non-empty) only for encrypted names; on other names
//     it is kept but not checked.
//   - clientEmail is checked by ValidEmail: local@domain with a dotted domain,
//     no display name, no quoted local part, no IP literal.
//   - Of several problems the reported one is: invalid JSON, else clientEmail
//     (both without mail), else the first of type, fileName, keyId, columns
//     (columns in document order). Reasons say what was wrong and what is
//     accepted; Problem.Error prefixes them with ProblemPrefix.
//
// record imports this package (a Converter is built from a Manifest), so the
// shared email check lives here; record.ValidEmail is the same function.
package manifest

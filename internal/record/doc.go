// Package record is the pure core of an import: value conversion, dates,
// row mapping and validation, and profile operations (SPEC §4). No I/O, no
// store access: store imports record, never the other way round.
//
// A Converter is built once per import from the manifest and the CSV header
// (NewConverter) and turns each row into a Row or a list of reasons
// (Convert). ApplyOps folds a profile row's operations into stored Props.
//
// Decisions where the SPEC is silent:
//
// Header and mapping
//   - Header names are trimmed (and a BOM on the first is dropped); empty or
//     duplicate names, or two operation columns for one column, give a
//     *HeaderError ("File couldn't be read"). Manifest columns match a header
//     by exact text, then by trimmed name.
//   - Special names are recognized ignoring case on the final name, whether
//     it comes from ctName or the header itself ("EMAIL", "Guid").
//   - Two columns mapping to one name ("id"→identity beside "identity",
//     "guid" beside "objectId") are a manifest problem (*manifest.Problem,
//     mail sent), not a silent overwrite.
//   - evtName is special only in event files; in profile files it is an
//     ordinary property.
//   - Email, Phone and Name are strings and MSG-* booleans whatever dataType
//     says. ts is epoch seconds unless declared DATE with a dateFormat, then
//     parsed in that format. Identifier columns are text.
//
// Values
//   - Cells are trimmed of surrounding whitespace before conversion, except
//     STRING values, which are stored verbatim; a whitespace-only cell is
//     empty, and empty cells are absent.
//   - Cells must be valid UTF-8. String lengths count characters (runes).
//   - INTEGER/LONG: optional sign, decimal digits; no fraction ("5.0"), no
//     thousands separators. FLOAT: plain decimal notation with an optional
//     exponent; Inf, NaN, hex and overflow are refused.
//   - "$D_<epoch>" is a date in every property column except Email, Phone
//     and MSG-*, which must hold what their names say. "$D_" followed by
//     anything but epoch seconds is refused rather than stored as text (the
//     store would read it back as a date).
//   - Dates: day, month, hour, minute and second may have one or two
//     digits, the year four; seconds may be left out (HH:mm); "MMM" takes
//     English month names, short or full, any case. A date alone gets
//     00:00:01. Epoch seconds (Unix format, $D_, ts) may carry a decimal
//     fraction, dropped rounding down; years stay within 0001–9999.
//   - ts must be from 1 to 253402300799 (so millisecond stamps are refused);
//     0 in Row.TS means absent.
//   - Phone is stored in E.164 (+14155552671); spaces, dashes, dots and
//     parentheses are allowed when writing it. Email is stored trimmed.
//
// Identifiers
//   - Placeholders count as absent (they would merge unrelated users); an
//     identifier of 1024 characters or more refuses the row even beside a
//     good one. Row.Identifiers are ordered identity, objectId, fbId, gpId.
//
// Rows
//   - Reasons are in column order, then the row-wide ones: identifiers,
//     event name, event property count. Identical reasons appear once.
//   - Property names are checked only when the column yields a property or
//     an operation in that row.
//   - The 100-property limit counts the filled property cells.
//
// Profile operations
//   - The operation cell is trimmed and matched ignoring case; empty is $set.
//   - $delete removes the property whatever the value cell holds (it is not
//     even converted). $add/$remove with an empty value do nothing.
//   - An operation column whose column the file lacks still works: its
//     value is always empty, so only $delete has an effect.
//   - Identifiers and ts take only $set.
//   - In event files, a filled "<col>.operation" cell refuses the row.
//   - Lists hold text: other values join as Value.Text ($D_<epoch> for
//     dates). Re-adding an item keeps its place; $remove on a single value
//     equal to the removed text deletes the property.
package record

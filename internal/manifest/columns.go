package manifest

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Column data types (Column.DataType, always upper case).
const (
	DataString  = "STRING"
	DataInteger = "INTEGER" // 32-bit
	DataLong    = "LONG"    // 64-bit
	DataFloat   = "FLOAT"
	DataBoolean = "BOOLEAN"
	DataDate    = "DATE"
)

// DataTypes lists the accepted data types in the order messages show them.
var DataTypes = []string{DataString, DataInteger, DataLong, DataFloat, DataBoolean, DataDate}

// Date formats of DATE columns (Column.DateFormat, always spelled so).
const (
	FormatDMY  = "dd/MM/yyyy HH:mm:ss"
	FormatMDY  = "MM/dd/yyyy HH:mm:ss"
	FormatYDM  = "yyyy/dd/MM HH:mm:ss"
	FormatYMD  = "yyyy/MM/dd HH:mm:ss"
	FormatDMon = "dd MMM yyyy HH:mm:ss"
	FormatUnix = "Unix" // epoch seconds
)

// DateFormats lists the accepted date formats in the order messages show them.
var DateFormats = []string{FormatDMY, FormatMDY, FormatYDM, FormatYMD, FormatDMon, FormatUnix}

var (
	dataTypeList   = strings.Join(DataTypes, ", ")
	dateFormatList = strings.Join(DateFormats, ", ")
)

// NormalizeDataType returns the canonical spelling of a data type, matched
// ignoring case and surrounding whitespace; "" means STRING.
func NormalizeDataType(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return DataString, true
	}
	for _, t := range DataTypes {
		if strings.EqualFold(s, t) {
			return t, true
		}
	}
	return "", false
}

// NormalizeDateFormat returns the canonical spelling of a date format,
// matched ignoring case and runs of whitespace. Case cannot make two of the
// six formats collide, so "unix" or "DD/MM/YYYY HH:MM:SS" are accepted.
func NormalizeDateFormat(s string) (string, bool) {
	s = strings.Join(strings.Fields(s), " ")
	for _, f := range DateFormats {
		if strings.EqualFold(s, f) {
			return f, true
		}
	}
	return "", false
}

// parseColumns reads the columns object. A null or absent value is no mapping.
func parseColumns(raw json.RawMessage) (map[string]Column, string) {
	cols := map[string]Column{}
	if raw == nil {
		return cols, ""
	}
	o, err := readObject(raw)
	if err != nil {
		return nil, fmt.Sprintf(`columns is %s; it must be an object mapping CSV column names to {"ctName", "dataType", "dateFormat"}`, kindOf(raw))
	}
	for _, m := range o.members {
		c, reason := parseColumn(m)
		if reason == "" && m.key == "" {
			reason = "a column name in columns is empty; use the CSV header text as the key"
		}
		if _, seen := cols[m.key]; reason == "" && seen {
			reason = fmt.Sprintf("column %q appears more than once in columns", m.key)
		}
		if reason != "" {
			return nil, reason
		}
		cols[m.key] = c
	}
	return cols, ""
}

// parseColumn reads one column's mapping. A dateFormat without a dataType
// means DATE: nobody writes a date format for anything else.
func parseColumn(m member) (Column, string) {
	var c Column
	if isNull(m.raw) {
		c.DataType = DataString
		return c, ""
	}
	o, err := readObject(m.raw)
	if err != nil {
		return c, fmt.Sprintf(`column %q is %s; it must be an object with optional "ctName", "dataType" and "dateFormat"`, m.key, kindOf(m.raw))
	}
	var vals [3]string
	for i, key := range []string{"ctName", "dataType", "dateFormat"} {
		if reason := columnField(m.key, key, o.get(key), &vals[i]); reason != "" {
			return c, reason
		}
	}
	c.CTName = vals[0]
	if vals[1] == "" && vals[2] != "" {
		vals[1] = DataDate
	}
	return c, typeAndFormat(m.key, vals[1], vals[2], &c)
}

func columnField(col, key string, f field, dst *string) string {
	if f.dup {
		return fmt.Sprintf("%s of column %q appears more than once (keys are case-insensitive)", key, col)
	}
	if f.raw == nil {
		return ""
	}
	s, ok := str(f.raw)
	if !ok {
		return fmt.Sprintf("%s of column %q is %s; it must be a string", key, col, kindOf(f.raw))
	}
	*dst = s
	return ""
}

// typeAndFormat checks dataType and dateFormat. A dateFormat on a column
// that is not DATE is ignored (and dropped), as it changes nothing.
func typeAndFormat(col, dataType, format string, c *Column) string {
	t, ok := NormalizeDataType(dataType)
	if !ok {
		return fmt.Sprintf("dataType %q of column %q is not one of %s", dataType, col, dataTypeList)
	}
	c.DataType = t
	if t != DataDate {
		return ""
	}
	if format == "" {
		return fmt.Sprintf("dateFormat of DATE column %q is missing; it must be one of %s", col, dateFormatList)
	}
	f, ok := NormalizeDateFormat(format)
	if !ok {
		return fmt.Sprintf("dateFormat %q of column %q is not one of %s", format, col, dateFormatList)
	}
	c.DateFormat = f
	return ""
}

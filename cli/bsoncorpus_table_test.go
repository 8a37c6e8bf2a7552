package cli

import (
	"encoding/json"
	"strings"
	"testing"
)

// corpusTable restates a representative set of cases of MongoDB's BSON corpus
// (github.com/mongodb/specifications, source/bson-corpus/tests/*.json; licence CC BY-NC-SA 4.0,
// which is why the corpus files are not in this repository): an input line and the canonical
// Extended JSON its key field must key as, or "" where the corpus calls the input a parse
// error. A value and its canonical form are facts; the choice and the wording are ours. Cases
// marked "ours" are not in the corpus: doubles in exponent form and field names holding
// control characters. The key field is the line's first field.
var corpusTable = []struct{ file, form, line, want string }{
	{"double", "canonical", `{"d":{"$numberDouble":"1.0"}}`, `{"$numberDouble":"1.0"}`},
	{"double", "relaxed", `{"d":1.0}`, `{"$numberDouble":"1.0"}`},
	{"double", "relaxed", `{"d":-1.0001220703125}`, `{"$numberDouble":"-1.0001220703125"}`},
	{"double", "canonical", `{"d":{"$numberDouble":"-1.2345678921232E+18"}}`, `{"$numberDouble":"-1.2345678921232E+18"}`},
	{"double", "relaxed", `{"d":1.2345678921232E+18}`, `{"$numberDouble":"1.2345678921232E+18"}`},
	{"double", "canonical", `{"d":{"$numberDouble":"-0.0"}}`, `{"$numberDouble":"-0.0"}`},
	{"double", "relaxed", `{"d":-0.0}`, `{"$numberDouble":"-0.0"}`},
	{"double", "canonical", `{"d":{"$numberDouble":"NaN"}}`, `{"$numberDouble":"NaN"}`},
	{"double", "canonical", `{"d":{"$numberDouble":"Infinity"}}`, `{"$numberDouble":"Infinity"}`},
	{"double", "canonical", `{"d":{"$numberDouble":"-Infinity"}}`, `{"$numberDouble":"-Infinity"}`},
	{"double (ours)", "relaxed", `{"d":1e6}`, `{"$numberDouble":"1.0E+6"}`},
	{"double (ours)", "canonical", `{"d":{"$numberDouble":"1E+06"}}`, `{"$numberDouble":"1000000.0"}`},
	{"double (ours)", "relaxed", `{"d":2e7}`, `{"$numberDouble":"2.0E+7"}`},
	{"double (ours)", "relaxed", `{"d":5e-5}`, `{"$numberDouble":"5.0E-5"}`},
	{"double (ours)", "canonical", `{"d":{"$numberDouble":"1e300"}}`, `{"$numberDouble":"1.0E+300"}`},
	{"int32", "canonical", `{"i":{"$numberInt":"-2147483648"}}`, `{"$numberInt":"-2147483648"}`},
	{"int32", "relaxed", `{"i":2147483647}`, `{"$numberInt":"2147483647"}`},
	{"int32", "relaxed", `{"i":-1}`, `{"$numberInt":"-1"}`},
	{"int32", "canonical", `{"i":{"$numberInt":"0"}}`, `{"$numberInt":"0"}`},
	{"int64", "canonical", `{"a":{"$numberLong":"-9223372036854775808"}}`, `{"$numberLong":"-9223372036854775808"}`},
	{"int64", "relaxed", `{"a":9223372036854775807}`, `{"$numberLong":"9223372036854775807"}`},
	// A relaxed 1 reads as an int32: the same index key as NumberLong(1).
	{"int64", "relaxed", `{"a":1}`, `{"$numberLong":"1"}`},
	{"decimal128", "canonical", `{"d":{"$numberDecimal":"0.1"}}`, `{"$numberDecimal":"0.1"}`},
	{"decimal128", "canonical", `{"d":{"$numberDecimal":"-1.00E-8"}}`, `{"$numberDecimal":"-1.00E-8"}`},
	{"decimal128", "degenerate", `{"d":{"$numberDecimal":"-100E-10"}}`, `{"$numberDecimal":"-1.00E-8"}`},
	{"decimal128", "degenerate", `{"d":{"$numberDecimal":"1E3"}}`, `{"$numberDecimal":"1E+3"}`},
	{"decimal128", "degenerate", `{"d":{"$numberDecimal":"1e+3"}}`, `{"$numberDecimal":"1E+3"}`},
	{"decimal128", "degenerate", `{"d":{"$numberDecimal":"nan"}}`, `{"$numberDecimal":"NaN"}`},
	{"decimal128", "degenerate", `{"d":{"$numberDecimal":"-NaN"}}`, `{"$numberDecimal":"NaN"}`},
	{"decimal128", "degenerate", `{"d":{"$numberDecimal":"inf"}}`, `{"$numberDecimal":"Infinity"}`},
	{"decimal128", "degenerate", `{"d":{"$numberDecimal":"-infiniTy"}}`, `{"$numberDecimal":"-Infinity"}`},
	{"decimal128", "degenerate", `{"d":{"$numberDecimal":"1E6112"}}`, `{"$numberDecimal":"1.0E+6112"}`},
	{"decimal128", "degenerate", `{"d":{"$numberDecimal":"10E-6177"}}`, `{"$numberDecimal":"1E-6176"}`},
	{"decimal128", "degenerate", `{"d":{"$numberDecimal":"-00345678.5432"}}`, `{"$numberDecimal":"-345678.5432"}`},
	{"decimal128", "degenerate", `{"d":{"$numberDecimal":"0.000000000"}}`, `{"$numberDecimal":"0E-9"}`},
	{"decimal128", "degenerate", `{"d":{"$numberDecimal":"-00000."}}`, `{"$numberDecimal":"-0"}`},
	{"decimal128", "degenerate", `{"d":{"$numberDecimal":"0.00E+3"}}`, `{"$numberDecimal":"0E+1"}`},
	{"decimal128", "parse error", `{"d":{"$numberDecimal":"--32.4"}}`, ""},
	{"decimal128", "parse error", `{"d":{"$numberDecimal":"1.23abc"}}`, ""},
	{"decimal128", "parse error", `{"d":{"$numberDecimal":"E01"}}`, ""},
	{"decimal128", "parse error", `{"d":{"$numberDecimal":" 1"}}`, ""},
	{"decimal128", "parse error", `{"d":{"$numberDecimal":"Infi"}}`, ""},
	{"decimal128", "parse error", `{"d":{"$numberDecimal":"7e10000"}}`, ""},
	{"decimal128", "parse error", `{"d":{"$numberDecimal":"1E-6177"}}`, ""},
	{"decimal128", "parse error", `{"d":{"$numberDecimal":"1.11111111111111111111111111111234550"}}`, ""},
	{"string", "canonical", `{"a":""}`, `""`},
	{"string", "canonical", `{"a":"\u00e9\u00e9\u00e9"}`, `"ééé"`},
	{"string", "canonical", `{"a":"\u2606\u2606"}`, `"☆☆"`},
	{"string", "canonical", `{"a":"ab\u0000bab\u0000babab"}`, `"ab\u0000bab\u0000babab"`},
	{"string", "canonical", `{"a":"ab\\\"\u0001\u001f\b\t\n\u000b\f\rab"}`, `"ab\\\"\u0001\u001f\b\t\n\u000b\f\rab"`},
	{"binary", "canonical", `{"x":{"$binary":{"base64":"","subType":"00"}}}`, `{"$binary":{"base64":"","subType":"00"}}`},
	{"binary", "degenerate", `{"x":{"$binary":{"subType":"00","base64":""}}}`, `{"$binary":{"base64":"","subType":"00"}}`},
	{"binary", "canonical", `{"x":{"$binary":{"base64":"c//SZESzTGmQ6OfR38A11A==","subType":"03"}}}`, `{"$binary":{"base64":"c//SZESzTGmQ6OfR38A11A==","subType":"03"}}`},
	{"binary", "canonical", `{"x":{"$binary":{"base64":"c//SZESzTGmQ6OfR38A11A==","subType":"04"}}}`, `{"$binary":{"base64":"c//SZESzTGmQ6OfR38A11A==","subType":"04"}}`},
	{"binary", "degenerate", `{"x":{"$uuid":"73ffd264-44b3-4c69-90e8-e7d1dfc035d4"}}`, `{"$binary":{"base64":"c//SZESzTGmQ6OfR38A11A==","subType":"04"}}`},
	{"binary", "canonical", `{"x":{"$binary":{"base64":"//8=","subType":"80"}}}`, `{"$binary":{"base64":"//8=","subType":"80"}}`},
	{"binary", "canonical", `{"x":{"$type":"string"}}`, `{"$type":"string"}`},
	{"binary", "parse error", `{"x":{"$uuid":"73ffd26444b34c6990e8e7d1dfc035d4"}}`, ""},
	{"binary", "parse error", `{"x":{"$uuid":{"data":"73ffd264-44b3-4c69-90e8-e7d1dfc035d4"}}}`, ""},
	{"binary", "parse error", `{"x":{"$uuid":"73ffd264-44b3-90e8-e7d1dfc035d4"}}`, ""},
	{"timestamp", "canonical", `{"a":{"$timestamp":{"t":123456789,"i":42}}}`, `{"$timestamp":{"t":123456789,"i":42}}`},
	{"timestamp", "degenerate", `{"a":{"$timestamp":{"i":42,"t":123456789}}}`, `{"$timestamp":{"t":123456789,"i":42}}`},
	{"timestamp", "canonical", `{"a":{"$timestamp":{"t":4294967295,"i":4294967295}}}`, `{"$timestamp":{"t":4294967295,"i":4294967295}}`},
	{"datetime", "canonical", `{"a":{"$date":{"$numberLong":"0"}}}`, `{"$date":{"$numberLong":"0"}}`},
	{"datetime", "relaxed", `{"a":{"$date":"2012-12-24T12:15:30.501Z"}}`, `{"$date":{"$numberLong":"1356351330501"}}`},
	{"datetime", "canonical", `{"a":{"$date":{"$numberLong":"-284643869501"}}}`, `{"$date":{"$numberLong":"-284643869501"}}`},
	{"datetime", "canonical", `{"a":{"$date":{"$numberLong":"253402300800000"}}}`, `{"$date":{"$numberLong":"253402300800000"}}`},
	{"oid", "canonical", `{"a":{"$oid":"000000000000000000000000"}}`, `{"$oid":"000000000000000000000000"}`},
	{"oid", "canonical", `{"a":{"$oid":"56e1fc72e0c917e9c4714161"}}`, `{"$oid":"56e1fc72e0c917e9c4714161"}`},
	{"regex", "canonical", `{"a":{"$regularExpression":{"pattern":"","options":""}}}`, `{"$regularExpression":{"pattern":"","options":""}}`},
	{"regex", "degenerate", `{"a":{"$regularExpression":{"options":"im","pattern":"abc"}}}`, `{"$regularExpression":{"pattern":"abc","options":"im"}}`},
	{"regex", "degenerate", `{"a":{"$regularExpression":{"pattern":"abc","options":"mix"}}}`, `{"$regularExpression":{"pattern":"abc","options":"imx"}}`},
	{"regex", "canonical", `{"a":{"$regularExpression":{"pattern":"ab\\\"ab","options":""}}}`, `{"$regularExpression":{"pattern":"ab\\\"ab","options":""}}`},
	{"regex", "canonical", `{"d":{"$regex":{"$regularExpression":{"pattern":"pattern","options":""}},"$options":"ix"}}`, `{"$regex":{"$regularExpression":{"pattern":"pattern","options":""}},"$options":"ix"}`},
	{"code", "canonical", `{"a":{"$code":""}}`, `{"$code":""}`},
	{"code", "canonical", `{"a":{"$code":"ab\u0000bab"}}`, `{"$code":"ab\u0000bab"}`},
	{"code_w_scope", "canonical", `{"a":{"$code":"","$scope":{}}}`, `{"$code":"","$scope":{}}`},
	{"code_w_scope", "canonical", `{"a":{"$code":"abcd","$scope":{"x":{"$numberInt":"1"}}}}`, `{"$code":"abcd","$scope":{"x":{"$numberInt":"1"}}}`},
	{"dbpointer", "canonical", `{"a":{"$dbPointer":{"$ref":"b","$id":{"$oid":"56e1fc72e0c917e9c4714161"}}}}`, `{"$dbPointer":{"$ref":"b","$id":{"$oid":"56e1fc72e0c917e9c4714161"}}}`},
	{"dbpointer", "degenerate", `{"a":{"$dbPointer":{"$id":{"$oid":"56e1fc72e0c917e9c4714161"},"$ref":"b"}}}`, `{"$dbPointer":{"$ref":"b","$id":{"$oid":"56e1fc72e0c917e9c4714161"}}}`},
	{"dbpointer", "converted", `{"a":{"$ref":"b","$id":{"$oid":"56e1fc72e0c917e9c4714161"}}}`, `{"$ref":"b","$id":{"$oid":"56e1fc72e0c917e9c4714161"}}`},
	{"dbref", "canonical", `{"dbref":{"$ref":"collection","$id":{"$oid":"58921b3e6e32ab156a22b59e"},"$db":"db","foo":"bar"}}`, `{"$ref":"collection","$id":{"$oid":"58921b3e6e32ab156a22b59e"},"$db":"db","foo":"bar"}`},
	{"dbref", "canonical", `{"dbref":{"$ref":{"$numberInt":"1"},"$id":{"$oid":"58921b3e6e32ab156a22b59e"}}}`, `{"$ref":{"$numberInt":"1"},"$id":{"$oid":"58921b3e6e32ab156a22b59e"}}`},
	{"symbol", "canonical", `{"a":{"$symbol":"b"}}`, `{"$symbol":"b"}`},
	{"symbol", "canonical", `{"a":{"$symbol":""}}`, `{"$symbol":""}`},
	{"symbol", "converted", `{"a":"ab\u0000bab"}`, `"ab\u0000bab"`},
	{"undefined", "canonical", `{"a":{"$undefined":true}}`, `{"$undefined":true}`},
	{"undefined", "converted", `{"a":null}`, `null`},
	{"null", "canonical", `{"a":null}`, `null`},
	{"boolean", "canonical", `{"b":true}`, `true`},
	{"boolean", "canonical", `{"b":false}`, `false`},
	{"minkey", "canonical", `{"a":{"$minKey":1}}`, `{"$minKey":1}`},
	{"maxkey", "canonical", `{"a":{"$maxKey":1}}`, `{"$maxKey":1}`},
	{"document", "canonical", `{"x":{}}`, `{}`},
	{"document", "canonical", `{"x":{"":"b"}}`, `{"":"b"}`},
	{"document", "canonical", `{"x":{"$a":"b"}}`, `{"$a":"b"}`},
	{"document", "canonical", `{"x":{"a.b":"c"}}`, `{"a.b":"c"}`},
	{"document (ours)", "canonical", `{"x":{"\u0001\u001b[31m\u007f\"\\\u2028\u202e":"\u0000\u001f"}}`, `{"\u0001\u001b[31m\u007f\"\\\u2028\u202e":"\u0000\u001f"}`},
	{"array", "canonical", `{"a":[]}`, `{"$undefined":true}`},
	{"array", "canonical", `{"a":[{"$numberInt":"10"}]}`, `[{"$numberInt":"10"}]`},
	{"array", "canonical", `{"a":[{"$numberInt":"10"},{"$numberInt":"20"}]}`, `[{"$numberInt":"10"},{"$numberInt":"20"}]`},
	{"multi-type", "canonical", `{"d":{"_id":{"$oid":"57e193d7a9cc81b4027498b5"},"String":"string","Int64":{"$numberLong":"42"},"Double":{"$numberDouble":"-1.0"},"Binary":{"$binary":{"base64":"o0w498Or7cijeBSpkquNtg==","subType":"03"}},"Array":[{"$numberInt":"1"},{"$numberInt":"2"}],"Timestamp":{"$timestamp":{"t":42,"i":1}},"DatetimeNegative":{"$date":{"$numberLong":"-2147483648"}},"True":true,"Minkey":{"$minKey":1},"Null":null}}`,
		`{"_id":{"$oid":"57e193d7a9cc81b4027498b5"},"String":"string","Int64":{"$numberLong":"42"},"Double":{"$numberDouble":"-1.0"},"Binary":{"$binary":{"base64":"o0w498Or7cijeBSpkquNtg==","subType":"03"}},"Array":[{"$numberInt":"1"},{"$numberInt":"2"}],"Timestamp":{"$timestamp":{"t":42,"i":1}},"DatetimeNegative":{"$date":{"$numberLong":"-2147483648"}},"True":true,"Minkey":{"$minKey":1},"Null":null}`},
	{"top", "parse error", `{"a":{"$regularExpression":{"pattern":"abc","options":"","unrelated":true}}}`, ""},
	{"top", "parse error", `{"a":{"$oid":42}}`, ""},
	{"top", "parse error", `{"a":{"$numberInt":42}}`, ""},
	{"top", "parse error", `{"a":{"$numberLong":"42","unrelated":true}}`, ""},
	{"top", "parse error", `{"a":{"$numberDouble":42}}`, ""},
	{"top", "parse error", `{"x":{"$binary":{"base64":"//8="}}}`, ""},
	{"top", "parse error", `{"a":{"$code":42}}`, ""},
	{"top", "parse error", `{"x":{"$code":"","$scope":42}}`, ""},
	{"top", "parse error", `{"a":{"$timestamp":{"t":"123456789","i":42}}}`, ""},
	{"top", "parse error", `{"a":{"$date":42}}`, ""},
	{"top", "parse error", `{"a":{"$minKey":0}}`, ""},
	{"top", "parse error", `{"a":{"$maxKey":true}}`, ""},
	{"top", "parse error", `{"a":{"$dbPointer":{"a":{"$numberInt":"1"},"$id":{"$oid":"56e1fc72e0c917e9c4714161"},"c":{"$numberInt":"2"},"$ref":"b"}}}`, ""},
	{"top", "parse error", `{"a\u0000":1}`, ""},
	{"top", "parse error", `{"a":{"b\u0000":1}}`, ""},
	{"top", "parse error", `{"a":{"$regularExpression":{"pattern":"b\u0000","options":"i"}}}`, ""},
}

// TestKeysCorpusTable runs the table through the dupes binary's `keys`, as TestKeysBSONCorpus
// runs the whole corpus.
func TestKeysCorpusTable(t *testing.T) {
	var lines []corpusLine
	var bad, names []string
	for i, c := range corpusTable {
		id := c.file + " " + c.form + " " + c.line
		if c.want == "" {
			bad, names = append(bad, c.line), append(names, id)
			continue
		}
		dec := json.NewDecoder(strings.NewReader(c.line))
		_, _ = dec.Token()
		key, err := dec.Token()
		if err != nil {
			t.Fatalf("case %d: %s: %v", i, c.line, err)
		}
		lines = append(lines, corpusLine{caseNo: id, form: c.form, line: c.line, key: key.(string),
			want: keyTexts(t, id, c.want), relaxed: c.form == "relaxed"})
	}
	failed := checkCorpusLines(t, lines)
	passed := checkParseErrors(t, bad, names)
	t.Logf("%d of %d valid lines keyed as their canonical value, %d of %d parse errors refused",
		len(lines)-len(failed), len(lines), passed, len(bad))
}

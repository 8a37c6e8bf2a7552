package mongo

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/dupes-tui/dupes/model"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// wholeStages group documents by their whole content but _id and the ignored fields
// (model/wholedoc.go), in stages every engine runs:
//
//	{$project: {d: "$$ROOT"}}                      the document beside its _id
//	{$project: {"d._id": 0, "d.importedAt": 0}}    an exclusion: what is not compared
//	{$project: {d: {$arrayToObject: {$sortArray: {input: {$objectToArray: "$d"}, sortBy: {k: 1}}}}}}
//	                                               only with AnyFieldOrder
//	{$group: {_id: "$d", ids: {$push: "$_id"}, n: {$sum: 1}}}
//
// $group compares the documents as the model does: BSON types apart, numbers by value, field
// order counting (checked on MongoDB's documentation, FerretDB and mongo-java-server by
// TestWholeDocumentExactness). The group key is then the document itself, as for a plain key.
func wholeStages(key model.Key, ids, count bson.D) bson.A {
	excl := bson.D{{Key: "d._id", Value: 0}}
	for _, f := range key.Ignore {
		excl = append(excl, bson.E{Key: "d." + f, Value: 0})
	}
	p := bson.A{e1("$project", bson.D{{Key: "d", Value: "$$ROOT"}}), e1("$project", excl)}
	if key.AnyFieldOrder {
		sorted := e1("$sortArray", bson.D{{Key: "input", Value: e1("$objectToArray", "$d")}, {Key: "sortBy", Value: bson.D{{Key: "k", Value: 1}}}})
		p = append(p, e1("$project", bson.D{{Key: "d", Value: e1("$arrayToObject", sorted)}}))
	}
	return append(p, e1("$group", bson.D{{Key: "_id", Value: "$d"}, {Key: "ids", Value: ids}, {Key: "n", Value: count}}))
}

// refuseWhole says why a whole-document key cannot be scanned on this engine: the top-level
// sort of AnyFieldOrder needs $sortArray (MongoDB 5.2, FerretDB; not mongo-java-server).
func refuseWhole(key model.Key, e Engine) error {
	if !key.WholeDocument || !key.AnyFieldOrder {
		return nil
	}
	if e.Name == EngineJavaServer || (e.Name == EngineMongoDB && !versionAtLeast(e.ServerVersion, 5, 2)) {
		return fmt.Errorf("%w: --any-field-order sorts each document's fields on the server with $sortArray, "+
			"which %s lacks; scan without it (field order then counts)", ErrAnyFieldOrder, e)
	}
	return nil
}

// ErrAnyFieldOrder is wrapped by the refusal of --any-field-order on an engine without $sortArray.
var ErrAnyFieldOrder = errors.New("this server cannot compare documents in any field order")

// versionAtLeast reads "major.minor..." and compares it with major.minor.
func versionAtLeast(v string, major, minor int) bool {
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return false
	}
	ma, err1 := strconv.Atoi(parts[0])
	mi, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil {
		return false
	}
	return ma > major || (ma == major && mi >= minor)
}

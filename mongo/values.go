package mongo

import (
	"fmt"

	"github.com/dupes-tui/dupes/model"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// value turns a BSON value the server sent into the model's canonical Extended JSON, written
// by the driver (model.ValueOf).
func value(rv bson.RawValue) model.Value { return model.MustValueOf(rv) }

// rawValue turns a model value back into BSON for a query.
func rawValue(v model.Value) (bson.RawValue, error) {
	rv, err := v.Raw()
	if err != nil {
		return bson.RawValue{}, fmt.Errorf("value is not Extended JSON: %w", err)
	}
	return rv, nil
}

// rawValues converts many values, for $in lists.
func rawValues(vs []model.Value) (bson.A, error) {
	out := make(bson.A, len(vs))
	for i, v := range vs {
		rv, err := rawValue(v)
		if err != nil {
			return nil, err
		}
		out[i] = rv
	}
	return out, nil
}

// parseQuery reads a query document written in relaxed Extended JSON (a --filter, a partial
// filter expression).
func parseQuery(s string) (bson.D, error) {
	var d bson.D
	if err := bson.UnmarshalExtJSON([]byte(s), false, &d); err != nil {
		return nil, fmt.Errorf("filter %s is not a JSON document: %w", s, err)
	}
	return d, nil
}

// flatten turns a document into leaves: sub-documents become dotted paths of their names
// (model.PathName), arrays and empty documents stay whole.
func flatten(doc bson.Raw) (model.Doc, error) {
	var d model.Doc
	d.ID = value(doc.Lookup("_id"))
	err := flattenInto(&d.Fields, "", doc)
	return d, err
}

func flattenInto(out *[]model.Field, prefix string, doc bson.Raw) error {
	elems, err := doc.Elements()
	if err != nil {
		return err
	}
	for _, e := range elems {
		path := prefix + model.PathName(e.Key())
		v := e.Value()
		if sub, ok := v.DocumentOK(); ok {
			if n, _ := sub.Elements(); len(n) > 0 {
				if err := flattenInto(out, path+".", sub); err != nil {
					return err
				}
				continue
			}
		}
		*out = append(*out, model.Field{Path: path, Value: value(v)})
	}
	return nil
}

// typeName is the BSON type's name as $type and mongosh spell it.
func typeName(t bson.Type) string {
	switch t {
	case bson.TypeDouble:
		return "double"
	case bson.TypeString:
		return "string"
	case bson.TypeEmbeddedDocument:
		return "object"
	case bson.TypeArray:
		return "array"
	case bson.TypeBinary:
		return "binData"
	case bson.TypeUndefined:
		return "undefined"
	case bson.TypeObjectID:
		return "objectId"
	case bson.TypeBoolean:
		return "bool"
	case bson.TypeDateTime:
		return "date"
	case bson.TypeNull:
		return "null"
	case bson.TypeRegex:
		return "regex"
	case bson.TypeJavaScript:
		return "javascript"
	case bson.TypeInt32:
		return "int"
	case bson.TypeTimestamp:
		return "timestamp"
	case bson.TypeInt64:
		return "long"
	case bson.TypeDecimal128:
		return "decimal"
	case bson.TypeMinKey:
		return "minKey"
	case bson.TypeMaxKey:
		return "maxKey"
	}
	return t.String()
}

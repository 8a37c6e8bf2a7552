package memstore

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/dupes-tui/dupes/model"
)

// Demo returns the built-in demo deployment of dupes --demo:
//   - shop.users: duplicate emails, some differing only in case (exact scan vs ignore case),
//     and a few documents with no email at all (missing equals null: they collide too);
//   - shop.orders: orders written twice by a retrying client (same orderNo);
//   - crm.contacts: people entered twice, duplicates under the compound key
//     (lastName, firstName, birthDate);
//   - shop.imports: a stock import run twice, copies equal but for _id and importedAt
//     (a whole-document key ignoring importedAt finds them);
//   - shop.products with a unique index, a view, a time-series collection and a system
//     collection, to show what dupes marks and never deletes from.
//
// The data is fixed: the same every run, so recordings and tests are stable.
func Demo() *Store {
	s := New()
	base := time.Date(2024, 3, 4, 9, 30, 0, 0, time.UTC)
	seq := 0
	oid := func(at time.Time) model.Value {
		seq++
		return model.Value(fmt.Sprintf(`{"$oid":"%08x5f1c2a%010x"}`, at.Unix(), seq))
	}

	users := model.Namespace{DB: "shop", Coll: "users"}
	s.AddCollection(model.Collection{NS: users}, model.Index{Name: "email_1", Fields: []string{"email"}})
	names := []string{"Ada Lovelace", "Grace Hopper", "Alan Turing", "Edsger Dijkstra", "Barbara Liskov",
		"Donald Knuth", "Margaret Hamilton", "Ken Thompson", "Radia Perlman", "John McCarthy",
		"Frances Allen", "Dennis Ritchie", "Leslie Lamport", "Shafi Goldwasser", "Tony Hoare"}
	cities := []string{"London", "New York", "Manchester", "Amsterdam", "Boston", "Stanford", "Paris", "Berkeley"}
	plans := []string{"free", "pro", "team"}
	for i, n := range names {
		first, last, _ := strings.Cut(n, " ")
		email := strings.ToLower(first[:1]+last) + "@example.com"
		created := base.Add(time.Duration(i) * 37 * time.Hour)
		copies := 1
		switch {
		case i%3 == 0:
			copies = 3
		case i%2 == 0:
			copies = 2
		}
		for c := 0; c < copies; c++ {
			at := created.Add(time.Duration(c) * 26 * time.Hour)
			e := email
			if c == 1 && i%4 == 0 {
				e = strings.ToUpper(e[:1]) + e[1:] // a case variant: only "ignore case" catches it
			}
			fields := []model.Field{
				f("email", str(e)),
				f("name", str(n)),
				f("plan", str(plans[(i+c)%3])),
				f("address.city", str(cities[(i+c)%len(cities)])),
				f("createdAt", date(at)),
				f("updatedAt", date(at.Add(time.Duration(c*5+1)*time.Hour))),
			}
			if c != 1 {
				fields = append(fields, f("phone", str(fmt.Sprintf("+44 20 7946 %04d", 100+i))))
			}
			if c == 2 {
				fields = append(fields, f("tags", model.Value(`["beta","newsletter"]`)))
			}
			s.Insert(users, doc(oid(at), fields...))
		}
	}
	for i := 0; i < 3; i++ { // signed up through an old form that did not ask for an email
		at := base.Add(time.Duration(400+i*9) * time.Hour)
		s.Insert(users, doc(oid(at), f("name", str([]string{"Guest", "Guest 2", "test"}[i])),
			f("plan", str("free")), f("createdAt", date(at)), f("updatedAt", date(at))))
	}

	orders := model.Namespace{DB: "shop", Coll: "orders"}
	s.AddCollection(model.Collection{NS: orders}, model.Index{Name: "customer_1", Fields: []string{"customer"}})
	for i := 0; i < 24; i++ {
		at := base.Add(time.Duration(i) * 5 * time.Hour)
		no := fmt.Sprintf("SO-%d", 10400+i)
		copies := 1
		if i%5 == 1 || i%7 == 3 {
			copies = 2 // the client retried after a timeout: the first write had landed
		}
		for c := 0; c < copies; c++ {
			w := at.Add(time.Duration(c*3) * time.Second)
			status := "paid"
			if c == 1 && i%2 == 0 {
				status = "pending"
			}
			s.Insert(orders, doc(oid(w),
				f("orderNo", str(no)),
				f("customer", str(strings.ToLower(strings.Fields(names[i%len(names)])[0])+"@example.com")),
				f("total", model.Value(`{"$numberDecimal":"`+strconv.Itoa(20+i*7)+`.90"}`)),
				f("items", num(1+i%4)),
				f("status", str(status)),
				f("createdAt", date(w))))
		}
	}

	contacts := model.Namespace{DB: "crm", Coll: "contacts"}
	s.AddCollection(model.Collection{NS: contacts})
	people := [][3]string{
		{"García", "María", "1984-02-11"}, {"Nguyen", "Linh", "1990-07-30"}, {"Smith", "John", "1975-12-01"},
		{"Smith", "John", "1981-05-19"}, {"Okafor", "Chidi", "1988-09-09"}, {"Rossi", "Giulia", "1979-03-23"},
		{"Kowalski", "Anna", "1995-01-15"}, {"Tanaka", "Hiro", "1969-10-04"},
	}
	for i, p := range people {
		copies := 1 + (i+1)%3
		if p[0] == "Smith" {
			copies = 2
		}
		for c := 0; c < copies; c++ {
			at := base.Add(time.Duration(i*50+c*3) * time.Hour)
			bd, _ := time.Parse("2006-01-02", p[2])
			fields := []model.Field{
				f("lastName", str(p[0])), f("firstName", str(p[1])), f("birthDate", date(bd)),
				f("source", str([]string{"import-2023", "web", "sales"}[c%3])),
			}
			if c > 0 {
				fields = append(fields, f("notes", str("Entered again by "+[]string{"", "the web form", "a sales rep"}[c]+"; same person?")))
			}
			s.Insert(contacts, doc(oid(at), fields...))
		}
	}

	products := model.Namespace{DB: "shop", Coll: "products"}
	s.AddCollection(model.Collection{NS: products},
		model.Index{Name: "sku_1", Fields: []string{"sku"}, Unique: true},
		model.Index{Name: "name_ci", Fields: []string{"name"}, Unique: true, Collation: &model.Collation{Locale: "en", Strength: 2}})
	for i := 0; i < 6; i++ {
		at := base.Add(time.Duration(i) * time.Hour)
		s.Insert(products, doc(oid(at), f("sku", str(fmt.Sprintf("SKU-%03d", i))), f("name", str([]string{"Mug", "T-shirt", "Sticker", "Hoodie", "Cap", "Notebook"}[i]))))
	}
	// shop.imports: a stock import that ran twice. The copies differ only in _id and importedAt,
	// so no key names them: a whole-document key ignoring importedAt does.
	imports := model.Namespace{DB: "shop", Coll: "imports"}
	s.AddCollection(model.Collection{NS: imports})
	for run := 0; run < 2; run++ {
		at := base.Add(time.Duration(500+run) * time.Hour)
		for i := 0; i < 5; i++ {
			if run == 1 && i == 4 {
				break // the second run stopped early: the last row came once
			}
			s.Insert(imports, doc(oid(at.Add(time.Duration(i)*time.Second)),
				f("sku", str(fmt.Sprintf("SKU-%03d", i))), f("warehouse", str([]string{"LHR", "AMS"}[i%2])),
				f("qty", num(10*(i+1))), f("importedAt", date(at))))
		}
	}
	s.AddCollection(model.Collection{NS: model.Namespace{DB: "shop", Coll: "active_users"}, Type: model.TypeView, ViewOn: "users"})
	s.AddCollection(model.Collection{NS: model.Namespace{DB: "shop", Coll: "page_views"}, Type: model.TypeTimeseries})
	s.AddCollection(model.Collection{NS: model.Namespace{DB: "shop", Coll: "system.views"}})
	return s
}

func f(path string, v model.Value) model.Field { return model.Field{Path: path, Value: v} }

func doc(id model.Value, fields ...model.Field) model.Doc {
	return model.Doc{ID: id, Fields: append([]model.Field{{Path: "_id", Value: id}}, fields...)}
}

func str(s string) model.Value {
	b, _ := json.Marshal(s)
	return model.Value(b)
}

func num(n int) model.Value { return model.Value(`{"$numberInt":"` + strconv.Itoa(n) + `"}`) }

func date(t time.Time) model.Value {
	return model.Value(`{"$date":{"$numberLong":"` + strconv.FormatInt(t.UnixMilli(), 10) + `"}}`)
}

package mongo

import (
	"context"
	"fmt"
	"strings"

	"github.com/dupes-tui/dupes/model"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// verifyBatch is how many keepers one find of verifyKeepers asks for.
const verifyBatch = 1000

// verifyKeepers checks, after the batches of a run (or of a streamed chunk), that the keeper
// of every group the run deleted from still exists. The lease keeps two dupes runs apart, but
// a write held up in the network past the lease can land after another run took over, and
// without transactions nothing on the server fences it: a late delete of that run can empty a
// group this run kept. This read is what says so. A group found without its keeper is recorded
// (Report.KeepersLost), said loudly with the backup that holds its members, and makes the run
// end in an error.
func (r *execRun) verifyKeepers(ctx context.Context) error {
	var keepers []model.Value
	for i, g := range r.rep.Groups {
		if g.Deleted > 0 && i < len(r.plan.Groups) {
			keepers = append(keepers, r.plan.Groups[i].Keep)
		}
	}
	if len(keepers) == 0 {
		return nil
	}
	var lost []model.Value
	for start := 0; start < len(keepers); start += verifyBatch {
		batch := keepers[start:min(start+verifyBatch, len(keepers))]
		ids, err := rawValues(batch)
		if err != nil {
			return err
		}
		vctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ExecBatchTimeout)
		cur, err := r.coll.Find(vctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}},
			options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}).SetComment(r.c.comment()))
		if err != nil {
			cancel()
			return fmt.Errorf("verify the keepers after the run: %w", err)
		}
		found := map[model.Value]bool{}
		for cur.Next(vctx) {
			found[value(cur.Current.Lookup("_id"))] = true
		}
		err = cur.Err()
		cur.Close(vctx)
		cancel()
		if err != nil {
			return fmt.Errorf("verify the keepers after the run: %w", err)
		}
		for _, k := range batch {
			if !found[k] {
				lost = append(lost, k)
			}
		}
	}
	if len(lost) == 0 {
		return nil
	}
	r.rep.KeepersLost = append(r.rep.KeepersLost, lost...)
	shown := make([]string, 0, min(len(lost), 5))
	for _, k := range lost[:min(len(lost), 5)] {
		shown = append(shown, k.Display())
	}
	more := ""
	if len(lost) > len(shown) {
		more = fmt.Sprintf(" and %d more", len(lost)-len(shown))
	}
	msg := fmt.Sprintf("after this run, %d groups it deleted from have lost their keeper (%s%s): someone else "+
		"deleted them (another run whose write was held up past its lease, or an application); the members "+
		"this run deleted are in %s, and the report's keepersLost lists every keeper", len(lost), strings.Join(shown, ", "), more, r.backup.path)
	r.rep.Notices = append(r.rep.Notices, msg)
	return fmt.Errorf("%s", msg)
}

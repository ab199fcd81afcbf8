package main

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// fanoutSize is one fan-out run: followers spread round-robin over
// instances, delivered by Procs server processes on the same database:
// one in both roles (web and worker), and with 2 a second in the worker
// role, as a publication adds a machine for its deliveries.
type fanoutSize struct {
	Followers, Instances int
	Procs                int
}

// fanoutResult is what a fan-out run measured.
type fanoutResult struct {
	fanoutSize
	Posts      int           // inbox POSTs that arrived and verified (after the run)
	Enqueue    time.Duration // the publishing transaction, deliveries queued
	First      time.Duration // publish to first delivery
	Last       time.Duration // publish to last delivery
	Recorded   time.Duration // publish to every delivery recorded as delivered
	PerSecond  float64       // instances reached per second, publish to last
	SignRate   float64       // RSA-2048 signatures a second on all cores, measured after the deliveries
	PeakRSS    int64         // the largest peak resident memory of the server processes
	RSS        []int64       // each server process's peak resident memory
	ByProcess  []int         // deliveries each server process made, in the order they started
	CPU        cpuMeter      // every server process's and their PostgreSQL backends', publish to all recorded
	ServerErrs []string
}

// runFanout publishes one story to followers spread over instances and
// times its delivery. It fails when any instance gets no POST, more than
// one, or one that does not verify.
func runFanout(ctx context.Context, e *env, size fanoutSize) (*fanoutResult, error) {
	if size.Instances <= 0 || size.Followers < size.Instances {
		return nil, fmt.Errorf("fanout: need at least one instance and as many followers as instances, got %+v", size)
	}
	if size.Procs == 0 {
		size.Procs = 1
	}
	if size.Procs > 2 {
		return nil, fmt.Errorf("fanout: one or two server processes, not %d", size.Procs)
	}
	res := &fanoutResult{fanoutSize: size}
	db, err := newDatabase(ctx, e.databaseURL, e.keepDB)
	if err != nil {
		return nil, err
	}
	defer db.drop()
	fl, err := startFleet(size.Instances, e.perAddr)
	if err != nil {
		return nil, err
	}
	defer fl.close()

	// Followers f0, f1 … on instances 0, 1 … round-robin: with more
	// followers than instances, several share each shared inbox.
	actors := make([]seedActor, size.Followers)
	ids := make([]string, size.Followers)
	for i := range actors {
		host := fl.hosts[i%size.Instances]
		name := fmt.Sprintf("f%d", i)
		actors[i] = seedActor{id: actorID(host, name), host: host, name: name}
		ids[i] = actors[i].id
	}
	if err := seedActors(ctx, db, actors); err != nil {
		return nil, err
	}
	if err := seedFollowers(ctx, db, "en", ids); err != nil {
		return nil, err
	}
	if err := seedDeliveryHistory(ctx, db, fl.hosts); err != nil {
		return nil, err
	}
	_, draft, err := createDraft(ctx, db, "en", 1)
	if err != nil {
		return nil, err
	}
	if err := db.analyze(ctx); err != nil {
		return nil, err
	}

	name := fmt.Sprintf("fanout-%d-%d", size.Followers, size.Instances)
	if size.Procs > 1 {
		name += "-2procs"
	}
	fmt.Fprintf(e.log, "bench: %s\n", name)
	srv, err := e.startAs(ctx, db, name, e.firstRoles, "")
	if err != nil {
		return nil, err
	}
	defer srv.stop()
	servers := []*server{srv}
	if size.Procs > 1 {
		// Started once the first is up, so that River's client ids (its
		// start time) sort in the order the processes started.
		w, err := e.startAs(ctx, db, name+"-worker", "worker", srv.URL)
		if err != nil {
			return nil, err
		}
		defer w.stop()
		servers = append(servers, w)
	}
	if fl.expectKeyID, fl.expectKey, err = actorKey(ctx, srv.URL, "en"); err != nil {
		return nil, err
	}
	pub, err := newPublisher(ctx, db, srv.URL)
	if err != nil {
		return nil, err
	}
	defer pub.close()
	fl.expect(size.Instances)

	res.CPU = cpuMeter{srv: srv, more: servers[1:], db: db}
	res.CPU.start(ctx)
	start := time.Now()
	t, err := pub.publish(ctx, draft.ID)
	if err != nil {
		return nil, err
	}
	res.Enqueue = time.Since(start)
	if err := fl.wait(ctx, time.Minute+time.Duration(size.Instances)*20*time.Millisecond); err != nil {
		return nil, err
	}
	fl.mu.Lock()
	res.First, res.Last = fl.first.Sub(start), fl.last.Sub(start)
	fl.mu.Unlock()
	res.PerSecond = float64(size.Instances) / res.Last.Seconds()

	// The POSTs arrived; now the server must have recorded each as
	// delivered (the worker's transaction after the answer).
	var activityID string
	deadline := time.Now().Add(time.Minute)
	for {
		rep, err := db.Store.DeliveryReport(ctx, t.ID)
		if err != nil {
			return nil, err
		}
		if len(rep.Activities) == 1 {
			activityID = rep.Activities[0].ActivityID
		}
		if rep.Delivered == size.Instances {
			res.Recorded = time.Since(start)
			res.CPU.stop(ctx)
			break
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("fanout: %d of %d deliveries recorded after a minute (pending %d, failed %d: %s)",
				rep.Delivered, size.Instances, rep.Pending, rep.Failed, rep.LastError)
		}
		time.Sleep(20 * time.Millisecond)
	}
	// A delivery sent twice would arrive a moment later: give it the time.
	time.Sleep(500 * time.Millisecond)
	// Now, the clock stopped, the fleet makes its checks of every POST.
	if err := fl.check(fl.hosts, activityID); err != nil {
		return nil, fmt.Errorf("fanout: %w", err)
	}
	res.Posts = int(fl.posts.Load())
	if res.Posts != size.Instances {
		return nil, fmt.Errorf("fanout: %d POSTs for %d instances; shared inboxes must make it one each", res.Posts, size.Instances)
	}
	for _, s := range servers {
		peak, _, err := s.memory()
		if err != nil {
			return nil, err
		}
		res.RSS = append(res.RSS, peak)
		res.PeakRSS = max(res.PeakRSS, peak)
		res.ServerErrs = append(res.ServerErrs, s.logErrors()...)
	}
	if res.ByProcess, err = deliveriesByProcess(ctx, db); err != nil {
		return nil, err
	}
	if sum(res.ByProcess) != size.Instances || len(res.ByProcess) > size.Procs {
		return nil, fmt.Errorf("fanout: River's jobs say %v deliveries by process, for %d instances and %d processes", res.ByProcess, size.Instances, size.Procs)
	}
	// The ceiling, in the same run, once the machine is quiet again.
	if err := waitQuiet(ctx, e.log); err != nil {
		return nil, err
	}
	if res.SignRate, err = signingRate(ctx, e.signFor); err != nil {
		return nil, fmt.Errorf("fanout: signing rate: %w", err)
	}
	return res, nil
}

// deliveriesByProcess counts the completed delivery jobs by the River
// client that worked them last, in the order the clients started (a
// client's id ends with its start time, to the microsecond). Processes that
// worked none are not listed.
func deliveriesByProcess(ctx context.Context, db *database) ([]int, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT attempted_by[cardinality(attempted_by)] AS client, count(*)
		FROM river_job WHERE kind = 'samizdat.deliver' AND state = 'completed'
		GROUP BY client ORDER BY client`)
	if err != nil {
		return nil, err
	}
	var client string
	var n int
	var out []int
	_, err = pgx.ForEachRow(rows, []any{&client, &n}, func() error {
		out = append(out, n)
		return nil
	})
	return out, err
}

// SignShare is the fan-out's deliveries per second as a share of the
// signatures per second all cores make: 1 would be every core signing and
// doing nothing else.
func (r *fanoutResult) SignShare() float64 {
	if r.SignRate == 0 {
		return 0
	}
	return r.PerSecond / r.SignRate
}

// historyStories is how many stories the publication sent its followers
// before a fan-out run. As for the inbox (historyReplies), a story goes out
// from a publication that has been running: its followers' instances are
// known (each was in contact when its follower followed), and its
// deliveries and instances tables are not empty. Into empty tables, the
// statements of a fan-out were planned as sequential scans that each
// worker's connection kept while the tables grew, and a run measured that.
const historyStories = 5

// seedDeliveryHistory records historyStories earlier Creates, each
// delivered to the shared inbox of every host, and each host as an
// instance that answered.
func seedDeliveryHistory(ctx context.Context, db *database, hosts []string) error {
	now := time.Now()
	activities := make([][]any, historyStories)
	var deliveries [][]any
	for i := range activities {
		id := fmt.Sprintf("http://127.0.0.1/ap/articles/history-%d#create", i)
		activities[i] = []any{id, "en", "Create", []byte(`{"id":"` + id + `","type":"Create"}`), now}
		for _, h := range hosts {
			deliveries = append(deliveries, []any{id, "http://" + h + "/inbox", "delivered", 1, 202, now})
		}
	}
	instances := make([][]any, len(hosts))
	for i, h := range hosts {
		instances[i] = []any{h, now, now}
	}
	for _, c := range []struct {
		table string
		cols  []string
		rows  [][]any
	}{
		{"activities", []string{"id", "actor", "type", "body", "created_at"}, activities},
		{"deliveries", []string{"activity_id", "inbox", "state", "attempts", "last_status", "updated_at"}, deliveries},
		{"instances", []string{"host", "last_success", "updated_at"}, instances},
	} {
		if _, err := db.Pool.CopyFrom(ctx, pgx.Identifier{c.table}, c.cols, pgx.CopyFromRows(c.rows)); err != nil {
			return fmt.Errorf("seed %d %s: %w", len(c.rows), c.table, err)
		}
	}
	return nil
}

func sum(ns []int) int {
	t := 0
	for _, n := range ns {
		t += n
	}
	return t
}

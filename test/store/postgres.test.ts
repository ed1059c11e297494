// The store contract against the PostgreSQL store (issue 18), when SUNDIAL_TEST_DATABASE_URL
// names a server (scripts/pg-test-setup.sh prints one). Every store gets a schema of its own in
// that database, created empty, migrated by the store as it opens, and dropped when it closes, so
// runs never see each other's rows. Without the variable the contract is skipped, and says so.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import pg from 'pg';
import { isPostgresUrl, migratePostgresDatabase, openPostgresStore, postgresSchemaDir } from '../../src/store/postgres/index.js';
import { quoteIdent } from '../../src/store/postgres/connection.js';
import type { Store } from '../../src/store/types.js';
import { contractSections } from './contract.js';

const url = process.env.SUNDIAL_TEST_DATABASE_URL ?? '';
// Sections to run, comma-separated (all when unset): a backend under construction runs some.
const only = (process.env.SUNDIAL_TEST_PG_SECTIONS ?? '').split(',').filter((s) => s !== '');

const urls = suite('postgres store: database URLs');
urls('postgres:// and postgresql:// select PostgreSQL; file paths and other schemes do not', () => {
  assert.ok(isPostgresUrl('postgres://u:p@localhost/db'));
  assert.ok(isPostgresUrl('postgresql://localhost:5433/db'));
  assert.not.ok(isPostgresUrl('./data/sundial.db'));
  assert.not.ok(isPostgresUrl('mysql://localhost/db'));
  assert.not.ok(isPostgresUrl(''));
});
urls.run();

if (!isPostgresUrl(url)) {
  console.log('\n  PostgreSQL store contract SKIPPED: SUNDIAL_TEST_DATABASE_URL is not set (run scripts/pg-test-setup.sh and export the URL it prints).\n');
} else {
  const admin = new pg.Pool({ connectionString: url, max: 2 });
  let n = 0;
  const prefix = `sundial_t${process.pid}_`;

  /** A fresh store in a new schema; closing it drops the schema. */
  const makeStore = async (): Promise<Store> => {
    const schema = `${prefix}${++n}`;
    await admin.query(`CREATE SCHEMA ${quoteIdent(schema)}`);
    const store = await openPostgresStore({ url, schema, max: 4 });
    const close = store.close.bind(store);
    return Object.assign(store, {
      async close() {
        await close();
        await admin.query(`DROP SCHEMA ${quoteIdent(schema)} CASCADE`);
      },
    });
  };

  for (const [name, section] of Object.entries(contractSections)) {
    if (only.length === 0 || only.includes(name)) section('postgres', makeStore);
  }

  const migrations = suite('postgres migrations');
  migrations('applies schema/postgres once; a second run and a concurrent one apply nothing', async () => {
    const schema = `${prefix}m`;
    await admin.query(`CREATE SCHEMA ${quoteIdent(schema)}`);
    try {
      const [a, b] = await Promise.all([migratePostgresDatabase({ url, schema }), migratePostgresDatabase({ url, schema })]);
      const files = fs.readdirSync(postgresSchemaDir()).filter((f) => f.endsWith('.sql')).sort();
      assert.ok(files.includes('001_initial.sql'));
      assert.equal([...a, ...b].sort(), files, 'exactly one of two concurrent runs applies each file');
      assert.equal(await migratePostgresDatabase({ url, schema }), []);
      const r = await admin.query(`SELECT value FROM ${quoteIdent(schema)}.sequence WHERE id = 1`);
      assert.is(Number(r.rows[0].value), 0);
    } finally {
      await admin.query(`DROP SCHEMA ${quoteIdent(schema)} CASCADE`);
    }
  });
  migrations.after(async () => {
    await admin.end();
  });
  migrations.run();
}

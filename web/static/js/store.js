// IndexedDB: the outbox (events not yet acknowledged by the server), the journal
// (every event this device recorded, to show what was tapped), the rejected
// list, and a key-value store for cached API answers and sync state.

const DB_NAME = "walkthrough";
const DB_VERSION = 1;

let dbPromise = null;

export function openDb() {
  if (!dbPromise) {
    dbPromise = new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, DB_VERSION);
      request.onupgradeneeded = () => {
        const db = request.result;
        if (!db.objectStoreNames.contains("outbox")) {
          const outbox = db.createObjectStore("outbox", { keyPath: "seq", autoIncrement: true });
          outbox.createIndex("id", "id", { unique: true });
        }
        if (!db.objectStoreNames.contains("journal")) {
          const journal = db.createObjectStore("journal", { keyPath: "id" });
          journal.createIndex("visit_id", "visit_id", { unique: false });
        }
        if (!db.objectStoreNames.contains("rejected")) {
          db.createObjectStore("rejected", { keyPath: "id" });
        }
        if (!db.objectStoreNames.contains("kv")) {
          db.createObjectStore("kv", { keyPath: "key" });
        }
      };
      request.onsuccess = () => {
        const db = request.result;
        db.onversionchange = () => db.close();
        resolve(db);
      };
      request.onerror = () => reject(request.error);
      request.onblocked = () => reject(new Error("the local database is blocked by another tab"));
    });
  }
  return dbPromise;
}

function promisify(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/** Run `work(stores)` in one transaction; resolves after the transaction commits. */
export async function transaction(storeNames, mode, work) {
  const db = await openDb();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(storeNames, mode, { durability: "strict" });
    const stores = {};
    for (const name of storeNames) stores[name] = tx.objectStore(name);
    let result;
    tx.oncomplete = () => resolve(result);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error || new Error("transaction aborted"));
    Promise.resolve()
      .then(() => work(stores, promisify))
      .then((value) => { result = value; })
      .catch((error) => {
        try { tx.abort(); } catch { /* already finished */ }
        reject(error);
      });
  });
}

export async function getAll(storeName) {
  return transaction([storeName], "readonly", (s) => promisify(s[storeName].getAll()));
}

export async function getAllByIndex(storeName, indexName, key) {
  return transaction([storeName], "readonly",
    (s) => promisify(s[storeName].index(indexName).getAll(key)));
}

export async function kvGet(key) {
  const row = await transaction(["kv"], "readonly", (s) => promisify(s.kv.get(key)));
  return row ? row.value : undefined;
}

export async function kvSet(key, value) {
  return transaction(["kv"], "readwrite", (s) => promisify(s.kv.put({ key, value })));
}

export async function kvDelete(key) {
  return transaction(["kv"], "readwrite", (s) => promisify(s.kv.delete(key)));
}

export async function kvDeletePrefix(prefix) {
  return transaction(["kv"], "readwrite", async (s) => {
    const keys = await promisify(s.kv.getAllKeys());
    for (const key of keys) {
      if (typeof key === "string" && key.startsWith(prefix)) s.kv.delete(key);
    }
  });
}

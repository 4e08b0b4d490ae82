-- One blob encrypted at first start: each start decrypts it, so a wrong or replaced key is
-- refused before anything is read or written with it.
CREATE TABLE key_probe (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    blob BLOB NOT NULL
);
-- Then (in Python, same transaction: bot/storage/tables/keys.py `rebind_all`) every stored
-- ciphertext is re-encrypted with associated data naming its table, column, row and person.

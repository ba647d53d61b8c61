"""Reads delivered messages straight from a stopped or running Postamt data directory:
the SQLite store opened READ-ONLY, and the blob files under data/blobs. The one place
integration tests look inside the store, so it can be swapped for POP3/IMAP reads later."""

import os
import sqlite3


def inbox(data_dir, address):
    """The bytes of every message in the INBOX of `address`, by uid."""
    uri = "file:" + os.path.join(data_dir, "postamt.db") + "?mode=ro"
    db = sqlite3.connect(uri, uri=True)
    try:
        rows = db.execute(
            "SELECT m.blob_ref FROM message m JOIN mailbox b ON m.mailbox_id = b.id "
            "JOIN account a ON b.account_id = a.id "
            "WHERE a.address_key = ? AND b.name = 'INBOX' ORDER BY m.uid",
            (address.lower(),)).fetchall()
    finally:
        db.close()
    out = []
    for (ref,) in rows:
        with open(os.path.join(data_dir, "blobs", ref[0:2], ref[2:4], ref), "rb") as f:
            out.append(f.read())
    return out


def push_subscriptions(data_dir):
    """(id, credential_kind, verified) of every stored push subscription, by id."""
    uri = "file:" + os.path.join(data_dir, "postamt.db") + "?mode=ro"
    db = sqlite3.connect(uri, uri=True)
    try:
        return db.execute("SELECT id, credential_kind, verified FROM push_subscription "
                          "ORDER BY id").fetchall()
    finally:
        db.close()

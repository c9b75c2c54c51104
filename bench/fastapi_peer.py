"""The peer `bench/serve_bench.sh` compares `agentdb serve` with: the stack the platform's design
documents describe (FastAPI + uvicorn + asyncpg), serving the same two routes over the same data
with the same statements serve runs per request (one transaction: role, key by hash through
app_authenticate, the query), so the difference is the service, not the SQL.

Run: DATABASE_URL=... uvicorn --workers 2 --port 8090 fastapi_peer:app   (from bench/)
"""
import hashlib
import json
import os

import asyncpg
from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import Response

app = FastAPI()
pool = None

LATEST = """
SELECT to_jsonb(c) || jsonb_build_object('messages', coalesce((SELECT jsonb_agg(to_jsonb(m)
 ORDER BY m.created_at, m.id) FROM (SELECT * FROM messages WHERE conversation_id = c.id
 ORDER BY created_at DESC, id DESC LIMIT 20) m), '[]'))
 FROM conversations c WHERE c.id = $1 AND c.status <> 'deleted'"""

APPEND = """
INSERT INTO messages AS m (conversation_id, role, content)
 SELECT $1::uuid, $2, $3 WHERE EXISTS (SELECT 1 FROM conversations c WHERE c.id = $1::uuid
 AND c.status <> 'deleted') RETURNING to_jsonb(m)"""


@app.on_event("startup")
async def startup():
    global pool
    pool = await asyncpg.create_pool(os.environ["DATABASE_URL"], min_size=5,
                                     max_size=int(os.environ.get("POOL_SIZE", "10")))


async def authenticate(connection, request):
    key = request.headers.get("authorization", "").removeprefix("Bearer ")
    digest = hashlib.sha256(key.encode()).hexdigest()
    await connection.execute("SET LOCAL ROLE agentdb_service; SET LOCAL statement_timeout = 5000")
    row = await connection.fetchrow("SELECT usable FROM app_authenticate($1)", digest)
    if row is None or not row["usable"]:
        raise HTTPException(status_code=401)


@app.get("/health")
async def health():
    return {"status": "ok"}


@app.get("/api/v1/conversations/{conversation_id}")
async def latest(conversation_id: str, request: Request):
    async with pool.acquire() as connection:
        async with connection.transaction(readonly=True):
            await authenticate(connection, request)
            body = await connection.fetchval(LATEST, conversation_id)
    if body is None:
        raise HTTPException(status_code=404)
    return Response(content=body, media_type="application/json")


@app.post("/api/v1/conversations/{conversation_id}/messages", status_code=201)
async def append(conversation_id: str, request: Request):
    message = json.loads(await request.body())
    async with pool.acquire() as connection:
        async with connection.transaction():
            await authenticate(connection, request)
            body = await connection.fetchval(APPEND, conversation_id, message["role"],
                                             message.get("content", ""))
            # serve writes an audit row with every change; so does the peer.
            await connection.execute(
                "INSERT INTO audit_logs (user_id, action, resource_type, resource_id, details)"
                " VALUES (app_current_user_id(), 'create', 'messages', $1, '{}')", conversation_id)
    if body is None:
        raise HTTPException(status_code=404)
    return Response(content=body, status_code=201, media_type="application/json")

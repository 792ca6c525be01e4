/**
 * The roster's Lua scripts. Redis runs a script as one command — nothing else runs in between —
 * which is what makes "check, then change" safe when several workers do it at once.
 *
 * Keys, per room (a room name has no ':' in it, 3.1's names.ts removes it):
 *   chat:nick:<room>:<nick in lower case>  the claim: a random token, SET NX PX ttl
 *   chat:members:<room>                    hash: nick in lower case -> {"nick","at"} (JSON)
 * The claim expires by itself when nobody renews it; the hash entry is removed by whoever
 * sweeps first after that. (The scripts build the claim keys from a prefix instead of naming
 * them all in KEYS: fine on one Redis; a Redis Cluster would need every key named, in one slot.)
 */

/**
 * Keeps one claim alive: renews it if it is still ours; takes it again if it is gone (a Redis
 * that restarted empty); gives up (0) if another member holds it now. Then lists the member.
 * KEYS: claim, members. ARGV: token, ttl ms, field, entry.
 */
export const RENEW = `
local owner = redis.call('GET', KEYS[1])
if owner == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
elseif owner == false then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
else
  return 0
end
redis.call('HSET', KEYS[2], ARGV[3], ARGV[4])
return 1`;

/**
 * Gives a claim back and removes the member's entry, only if they are still ours, and returns
 * { removed (1 or 0), headcount }. Ours: the claim holds our token; or the claim expired and no
 * sweep has removed our entry yet (the entry is still exactly ours). Otherwise another member
 * holds the name now (after an expiry, or a Redis that lost its data), or a sweep already
 * removed and announced us: removed is 0, and the caller announces nothing.
 * KEYS: claim, members. ARGV: token, field, entry.
 */
export const RELEASE = `
local owner = redis.call('GET', KEYS[1])
local removed = 0
if owner == ARGV[1] then
  redis.call('DEL', KEYS[1])
  redis.call('HDEL', KEYS[2], ARGV[2])
  removed = 1
elseif owner == false and redis.call('HGET', KEYS[2], ARGV[2]) == ARGV[3] then
  redis.call('HDEL', KEYS[2], ARGV[2])
  removed = 1
end
return { removed, redis.call('HLEN', KEYS[2]) }`;

/**
 * Removes the members whose claim has expired and returns them with the headcount left:
 * { {entry, …}, count }. Exactly one sweeper removes each, so exactly one announces it.
 * KEYS: members. ARGV: claim key prefix.
 */
export const SWEEP = `
local gone = {}
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  if redis.call('EXISTS', ARGV[1] .. all[i]) == 0 then
    redis.call('HDEL', KEYS[1], all[i])
    table.insert(gone, all[i + 1])
  end
end
return { gone, redis.call('HLEN', KEYS[1]) }`;

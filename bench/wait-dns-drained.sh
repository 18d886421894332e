# Sourced by the bench scripts. A bulk preload queues one DNS change per domain, and the DNS
# publisher works through that backlog after the load (minutes at 1,000,000 domains, about a
# core of Postgres). Figures taken during the catch-up say more about it than about what is
# measured: wait_dns_drained DB waits until the queue is empty (at most 30 minutes).
wait_dns_drained() {
  local db=$1 t1
  t1=$(date +%s)
  until [ "$(psql -Atq "$db" -c 'SELECT count(*) FROM dns_changes')" = 0 ]; do
    if [ $(( $(date +%s) - t1 )) -gt 1800 ]; then echo "DNS queue not drained after 30 min" >&2; return 1; fi
    sleep 5
  done
  echo "DNS publisher caught up with the preload in $(( $(date +%s) - t1 )) s"
}

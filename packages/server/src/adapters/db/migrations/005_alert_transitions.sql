-- The rule engine's two per-subject writes, raise and clear, each as one function: one statement
-- (one round trip, its own transaction) instead of a transaction of up to seven statements, each
-- of which waited for the IOC's event loop under load. The logic is AlertRepository's (see there);
-- the repository maps the rows. Both commit without waiting for the flush: a lost engine write is
-- recovered from the durable readings at the next start (AlertEngine), so the flush only adds
-- latency (set_config(…, true) = SET LOCAL: for this statement's transaction only).
--
-- p: { ruleId, ruleVersion, subject, deviceId, unitCode, sector, ownerUnit, severity, titleVi,
--      titleEn, now, ts (ISO instants), tsMs (the same, epoch ms, for the timeline), value,
--      upward, evidence, reopenMs, severities (in rising order) }
-- Returns { alert: row, events: [row…] }.
CREATE FUNCTION ioc_raise_alert(p jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  v_now   timestamptz := (p->>'now')::timestamptz;
  v_ts    timestamptz := (p->>'ts')::timestamptz;
  v_value float8      := (p->>'value')::float8;
  v_up    boolean     := (p->>'upward')::boolean;
  v_sev   text        := p->>'severity';
  v_order text[]      := ARRAY(SELECT jsonb_array_elements_text(p->'severities'));
  v_id    bigint;
  v_old   text;
  v_state text;
  v_resolved timestamptz;
  v_new   boolean;
  v_row   jsonb;
  r       alerts;
  e       alert_events;
BEGIN
  PERFORM set_config('synchronous_commit', 'off', true);
  -- 1. Already active (another reading of the same burst, or another node): a repeat.
  SELECT id, severity INTO v_id, v_old FROM alerts
   WHERE rule_id = p->>'ruleId' AND subject = p->>'subject' AND state IN ('open', 'acknowledged') FOR UPDATE;
  IF FOUND THEN
    UPDATE alerts SET
      count = count + 1,
      last_ts = greatest(last_ts, v_ts),
      last_value = v_value,
      peak_value = CASE WHEN v_value IS NULL THEN peak_value
                        WHEN v_up THEN greatest(coalesce(peak_value, v_value), v_value)
                        ELSE least(coalesce(peak_value, v_value), v_value) END,
      severity = CASE WHEN array_position(v_order, v_sev) > array_position(v_order, severity) THEN v_sev ELSE severity END,
      updated_at = v_now
    WHERE id = v_id RETURNING * INTO r;
    IF r.severity <> v_old THEN
      INSERT INTO alert_events (alert_id, at, kind, data)
      VALUES (r.id, v_now, 'severity', jsonb_build_object('from', v_old, 'to', r.severity,
              'ts', (extract(epoch FROM r.last_ts) * 1000)::bigint, 'value', r.last_value))
      RETURNING * INTO e;
      RETURN jsonb_build_object('alert', to_jsonb(r), 'events', jsonb_build_array(to_jsonb(e)));
    END IF;
    RETURN jsonb_build_object('alert', to_jsonb(r), 'events', '[]'::jsonb);
  END IF;
  -- 2. The latest alert resolved within the reopen window: reopen it.
  SELECT id, state, resolved_at INTO v_id, v_state, v_resolved FROM alerts
   WHERE rule_id = p->>'ruleId' AND subject = p->>'subject' ORDER BY id DESC LIMIT 1;
  IF FOUND AND v_state = 'resolved' AND v_resolved IS NOT NULL
     AND v_now - v_resolved <= (p->>'reopenMs')::float8 * interval '1 millisecond' THEN
    UPDATE alerts SET
      state = 'open', resolved_at = NULL, cleared_ts = NULL, acked_at = NULL, acked_by = NULL,
      escalated_at = NULL, escalated_to = NULL, reopen_count = reopen_count + 1, count = count + 1,
      last_ts = v_ts, last_value = v_value,
      peak_value = CASE WHEN v_value IS NULL THEN peak_value
                        WHEN v_up THEN greatest(coalesce(peak_value, v_value), v_value)
                        ELSE least(coalesce(peak_value, v_value), v_value) END,
      severity = v_sev, rule_version = (p->>'ruleVersion')::int, updated_at = v_now
    WHERE id = v_id AND state = 'resolved' RETURNING * INTO r;
    IF FOUND THEN
      INSERT INTO alert_events (alert_id, at, kind, data)
      VALUES (r.id, v_now, 'reopened', jsonb_build_object('ts', p->'tsMs', 'value', p->'value', 'severity', v_sev, 'evidence', p->'evidence'))
      RETURNING * INTO e;
      RETURN jsonb_build_object('alert', to_jsonb(r), 'events', jsonb_build_array(to_jsonb(e)));
    END IF;
  END IF;
  -- 3. A new alert. ON CONFLICT on the partial unique index: if another transaction opened one
  --    meanwhile, this becomes a repeat of it instead of a second active alert.
  INSERT INTO alerts (rule_id, rule_version, subject, device_id, unit_code, sector, owner_unit, state, severity,
                      title_vi, title_en, opened_at, first_ts, last_ts, count, first_value, last_value, peak_value, evidence)
  VALUES (p->>'ruleId', (p->>'ruleVersion')::int, p->>'subject', p->>'deviceId', p->>'unitCode', p->>'sector', p->>'ownerUnit', 'open', v_sev,
          p->>'titleVi', p->>'titleEn', v_now, v_ts, v_ts, 1, v_value, v_value, v_value, p->'evidence')
  ON CONFLICT (rule_id, subject) WHERE state IN ('open', 'acknowledged') DO UPDATE SET
    count = alerts.count + 1,
    last_ts = greatest(alerts.last_ts, excluded.last_ts),
    last_value = excluded.last_value,
    updated_at = excluded.opened_at
  RETURNING to_jsonb(alerts.*), (xmax = 0) INTO v_row, v_new;
  IF v_new THEN
    INSERT INTO alert_events (alert_id, at, kind, data)
    VALUES ((v_row->>'id')::bigint, v_now, 'raised', jsonb_build_object('ts', p->'tsMs', 'value', p->'value', 'severity', v_sev))
    RETURNING * INTO e;
    RETURN jsonb_build_object('alert', v_row, 'events', jsonb_build_array(to_jsonb(e)));
  END IF;
  RETURN jsonb_build_object('alert', v_row, 'events', '[]'::jsonb);
END $$;

-- The condition cleared: the latest uncleared alert of the rule and subject records it; an active
-- one is resolved ('resolved'), one an operator closed meanwhile only notes it ('cleared').
-- p: { ruleId, subject, now, ts (ISO), tsMs, value }. Returns { alert, events } or null.
CREATE FUNCTION ioc_clear_alert(p jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  v_now    timestamptz := (p->>'now')::timestamptz;
  v_id     bigint;
  v_state  text;
  v_active boolean;
  r        alerts;
  e        alert_events;
BEGIN
  PERFORM set_config('synchronous_commit', 'off', true);
  SELECT id, state INTO v_id, v_state FROM alerts
   WHERE rule_id = p->>'ruleId' AND subject = p->>'subject' AND cleared_ts IS NULL ORDER BY id DESC LIMIT 1 FOR UPDATE;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  v_active := v_state IN ('open', 'acknowledged');
  UPDATE alerts SET
    cleared_ts = (p->>'ts')::timestamptz, last_value = (p->>'value')::float8, updated_at = v_now,
    state = CASE WHEN v_active THEN 'resolved' ELSE state END,
    resolved_at = CASE WHEN v_active THEN v_now ELSE resolved_at END
  WHERE id = v_id RETURNING * INTO r;
  INSERT INTO alert_events (alert_id, at, kind, data)
  VALUES (r.id, v_now, CASE WHEN v_active THEN 'resolved' ELSE 'cleared' END, jsonb_build_object('ts', p->'tsMs', 'value', p->'value'))
  RETURNING * INTO e;
  RETURN jsonb_build_object('alert', to_jsonb(r), 'events', jsonb_build_array(to_jsonb(e)));
END $$;

// The phone simulator. Every phone sends real webhook requests, as Twilio would:
//   SMS:   POST /twilio/sms  (From, To, Body, MessageSid) -> TwiML <Message>s, shown as replies
//   calls: POST /twilio/voice, then each <Gather action> with Digits or SpeechResult -> TwiML,
//          whose <Say>s are shown with their language and whose <Gather> waits for the keypad
// and polls the local outbox for what the hotline sent to its number (SMS, WhatsApp, alert calls).
// A WhatsApp phone posts From whatsapp:+91…; a template the hotline sent shows as one, with its
// quick-reply buttons, which post ButtonPayload back as WhatsApp does.
// With HOTLINE_SMS_PROVIDER / HOTLINE_VOICE_PROVIDER = exotel it posts SMS and calls as Exotel
// does instead (/exotel/sms, whose reply comes through the outbox as DLT SMS; /exotel/voice with
// ExoML), and shows under each SMS which provider would have sent it and its DLT template.
// WhatsApp is always Twilio's (/twilio/sms).
(function () {
  const HOTLINE = document.body.dataset.hotline;
  const EXOTEL_SMS = document.body.dataset.sms === 'exotel';
  const EXOTEL_VOICE = document.body.dataset.voice === 'exotel';
  const SIGNED = document.body.dataset.signed === 'yes';
  const CSRF = document.querySelector('meta[name="csrf-token"]').content;
  const ACCOUNT = 'AC' + '0'.repeat(32);

  async function sid(kind) {
    return (await (await fetch('/simulator/sid?kind=' + kind)).json()).sid;
  }

  // POST a webhook as Twilio does; signed (server-side, by /simulator/sign) when a token is set.
  async function webhook(path, params) {
    const headers = {};
    if (SIGNED) {
      const r = await fetch('/simulator/sign', {method: 'POST', body: JSON.stringify({path, params}),
        headers: {'Content-Type': 'application/json', 'X-CSRFToken': CSRF}});
      // refused (403): a form it would not have built, such as words with "From" in them
      if (!r.ok) return {status: r.status, xml: ''};
      headers['X-Twilio-Signature'] = (await r.json()).signature;
    }
    const response = await fetch(path, {method: 'POST', body: new URLSearchParams(params), headers});
    return {status: response.status, xml: await response.text()};
  }

  const parse = (xml) => new DOMParser().parseFromString(xml, 'text/xml').documentElement;
  const localPath = (url) => { const u = new URL(url, location.href); return u.pathname + u.search; };

  for (const phone of document.querySelectorAll('.phone')) {
    const number = phone.dataset.number;
    const WHATSAPP = phone.dataset.whatsapp === 'yes';
    const address = (whatsapp) => (whatsapp ? 'whatsapp:' : '') + number;
    const log = phone.querySelector('.log');
    const panel = phone.querySelector('.call');
    const state = panel.querySelector('.call-state');
    let after = Number(document.body.dataset.after || 0);
    let call = null;  // {sid, from, to, gather, redirect, dial, record, digits}

    const show = (text, cls, extra) => {
      const item = document.createElement('div');
      item.className = 'msg ' + cls;
      if (extra) { const tag = document.createElement('span'); tag.className = 'tag'; tag.textContent = extra; item.appendChild(tag); }
      item.appendChild(document.createTextNode(text));
      const hint = log.querySelector('.hint');
      if (hint) hint.remove();  // what to try first: tried
      log.appendChild(item);
      log.scrollTop = log.scrollHeight;
      return item;
    };

    // -- SMS ------------------------------------------------------------------------------------
    phone.querySelector('form.compose').addEventListener('submit', async (event) => {
      event.preventDefault();
      const input = phone.querySelector('.compose input');
      const body = input.value.trim();
      input.value = '';
      if (!body) return;
      show(body, 'me');
      await text({From: address(WHATSAPP), To: (WHATSAPP ? 'whatsapp:' : '') + HOTLINE, Body: body});
    });

    async function text(fields) {
      const params = Object.assign({MessageSid: await sid('sms'), AccountSid: ACCOUNT, NumMedia: '0'}, fields);
      const exotel = EXOTEL_SMS && !String(params.From).startsWith('whatsapp:');  // WhatsApp is Twilio's
      if (exotel) params.SmsSid = params.MessageSid;  // the reply arrives through the outbox
      const {status, xml} = await webhook(exotel ? '/exotel/sms' : '/twilio/sms', params);
      if (exotel) {
        if (status !== 200) { show('[the webhook answered ' + status + ']', 'sys'); return; }
        // her safe word or DELETE: the last replies, erased from the demo's outbox at once, come in
        // the answer; shown here as her phone would show them
        const erased = xml.startsWith('{') ? JSON.parse(xml).erased_once_shown || [] : [];
        for (const said of erased) show(said, 'them');
        if (erased.length) show('[erased from the outbox as soon as sent]', 'sys');
        return;
      }
      if (status !== 200) { show('[the webhook answered ' + status + ']', 'sys'); return; }
      for (const m of parse(xml).querySelectorAll('Message')) show(m.textContent, 'them');
    }

    // a WhatsApp template as WhatsApp shows it: its text, then its quick-reply buttons
    function template(row) {
      const item = show(row.body, 'them', 'WhatsApp template: ' + row.template);
      for (const b of row.buttons || []) {
        const button = document.createElement('button');
        button.type = 'button';
        button.textContent = b.title;
        button.className = 'answer';
        button.addEventListener('click', async () => {
          button.disabled = true;
          show(b.title, 'me');
          await text({From: address(true), To: 'whatsapp:' + HOTLINE, Body: b.title, ButtonText: b.title,
                      ButtonPayload: b.payload});
        });
        item.appendChild(button);
      }
    }

    // -- calls ----------------------------------------------------------------------------------
    const buttons = (names) => {
      for (const name of ['answered', 'noanswer', 'voicemail']) panel.querySelector('.' + name).hidden = !names.includes(name);
    };

    function endCall(why) {
      if (!call) return;
      show('[call ended' + (why ? ': ' + why : '') + ']', 'sys');
      call = null;
      panel.hidden = true;
      phone.classList.remove('in-call');
    }

    function speak(el, inGather) {
      if (el.tagName === 'Say') {
        show(el.textContent, 'voice', 'says · ' + (el.getAttribute('language') || 'default voice'));
      } else if (el.tagName === 'Play') {
        show(el.textContent.split('/').pop(), 'voice', 'plays a recording');
      } else if (el.tagName === 'Pause') {
        show('[pause]', 'sys');
      }
    }

    // Show one TwiML response and set up what the call waits for next.
    function play(xml) {
      const root = parse(xml);
      Object.assign(call, {gather: null, redirect: null, dial: null, record: null, digits: ''});
      buttons([]);
      for (const el of root.children) {
        if (el.tagName === 'Gather' && call.gather) continue;  // ExoML asks twice: once is enough here
        if (el.tagName === 'Gather') {
          for (const inner of el.children) speak(inner, true);
          call.gather = {action: el.getAttribute('action'), numDigits: Number(el.getAttribute('numDigits') || 0),
                         finishOnKey: el.getAttribute('finishOnKey') || '#', input: el.getAttribute('input') || 'dtmf'};
        } else if (el.tagName === 'Redirect') {
          call.redirect = el.textContent.trim();
        } else if (el.tagName === 'Dial') {
          call.dial = {action: el.getAttribute('action')};
          show('[the hotline connects the call to ' + (el.querySelector('Number') ? 'a staff phone' : 'someone') + ', showing its own number]', 'sys');
          buttons(['answered', 'noanswer']);
        } else if (el.tagName === 'Record') {
          call.record = {action: el.getAttribute('action')};
          show('[beep — recording a voicemail]', 'sys');
          buttons(['voicemail']);
        } else if (el.tagName === 'Hangup') {
          break;
        } else {
          speak(el, false);
        }
      }
      const waiting = call.gather || call.dial || call.record || call.redirect;
      state.textContent = call.gather ? 'Press keys' + (call.gather.numDigits === 1 ? '' : ', then ' + call.gather.finishOnKey) : (waiting ? 'On the line' : 'Ended');
      panel.querySelector('.speak').hidden = !(call.gather && call.gather.input.includes('speech'));
      panel.querySelector('.silence').hidden = !call.gather;
      if (!waiting) endCall('the hotline hung up');
    }

    async function step(path, extra) {
      if (!call) return;
      const params = Object.assign({CallSid: call.sid, AccountSid: ACCOUNT, From: call.from, To: call.to,
                                    CallFrom: call.from, CallTo: call.to,  // Exotel's names
                                    CallStatus: 'in-progress', Direction: call.direction}, extra || {});
      if (params.Digits) params.DigitsPressed = params.Digits;
      const {status, xml} = await webhook(localPath(path), params);
      if (status !== 200) { show('[the webhook answered ' + status + ']', 'sys'); endCall(); return; }
      play(xml);
    }

    async function startCall(path, from, to, direction) {
      if (call) return;
      call = {sid: await sid('call'), from, to, direction};
      panel.hidden = false;
      phone.classList.add('in-call');
      show(direction === 'inbound' ? '[calling ' + to + ']' : '[call from ' + from + ' answered]', 'sys');
      await step(path);
    }

    const dial = phone.querySelector('.dial');
    if (dial) dial.addEventListener('click', () => startCall(EXOTEL_VOICE ? '/exotel/voice' : '/twilio/voice', number, HOTLINE, 'inbound'));
    panel.querySelector('.hangup').addEventListener('click', () => endCall('you hung up'));

    for (const key of panel.querySelectorAll('.key')) {
      key.addEventListener('click', async () => {
        if (!call || !call.gather) return;
        const k = key.dataset.key;
        const g = call.gather;
        if (k === g.finishOnKey && g.numDigits !== 1) {
          const digits = call.digits;
          show(digits ? 'pressed ' + digits : 'pressed ' + k, 'me');
          await step(g.action, digits ? {Digits: digits} : {});
          return;
        }
        call.digits += k;
        state.textContent = 'Keys: ' + call.digits;
        if (g.numDigits && call.digits.length >= g.numDigits) {
          show('pressed ' + call.digits, 'me');
          await step(g.action, {Digits: call.digits});
        }
      });
    }
    panel.querySelector('.speak').addEventListener('submit', async (event) => {
      event.preventDefault();
      const input = panel.querySelector('.speak input');
      const said = input.value.trim();
      input.value = '';
      if (!said || !call || !call.gather) return;
      show('(said) ' + said, 'me');
      await step(call.gather.action, {SpeechResult: said, Confidence: '0.9'});
    });
    panel.querySelector('.silence').addEventListener('click', async () => {
      if (!call || !call.gather) return;
      show('[silence]', 'me');
      await step(call.redirect || call.gather.action);
    });
    panel.querySelector('.answered').addEventListener('click', () => call && call.dial &&
      step(call.dial.action, {DialCallStatus: 'completed', DialCallDuration: '240'}));
    panel.querySelector('.noanswer').addEventListener('click', () => call && call.dial &&
      step(call.dial.action, {DialCallStatus: 'no-answer'}));
    panel.querySelector('.voicemail').addEventListener('click', async () => {
      if (!call || !call.record) return;
      show('[a voicemail of 20 seconds]', 'me');
      await step(call.record.action, {RecordingUrl: location.origin + '/simulator/recordings/' + call.sid,
                                      RecordingDuration: '20', RecordingSid: 'RE' + call.sid.slice(2)});
    });

    // -- what the hotline sent to this number ---------------------------------------------------
    function incoming(row) {
      const item = show('incoming call from ' + HOTLINE, 'them call-in', 'call');
      const answer = document.createElement('button');
      answer.type = 'button';
      answer.textContent = 'Answer';
      answer.className = 'answer';
      answer.addEventListener('click', () => { answer.disabled = true; startCall(row.call, HOTLINE, number, 'outbound-api'); });
      item.appendChild(answer);
    }

    let polling = false;
    setInterval(async () => {
      if (polling) return;
      polling = true;
      try {
        const rows = await (await fetch('/simulator/outbox?to=' + encodeURIComponent(number) + '&after=' + after)).json();
        for (const row of rows) {
          after = Math.max(after, row.id);
          if (row.template && row.channel === 'whatsapp') template(row);
          else if (row.body !== null) {
            show(row.body, 'them', row.channel === 'whatsapp' ? 'WhatsApp' : undefined);
            if (row.provider === 'exotel') show('[by Exotel, DLT template ' + row.template + ']', 'sys');
          }
          else if (row.call) incoming(row);
        }
      } catch (e) { /* the server restarting: try again */ }
      polling = false;
    }, 600);
  }
})();

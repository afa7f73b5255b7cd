// The live view: fetch the server-rendered table every few seconds and swap it in.
// Paused while a button in it has the focus, so nobody clicks a row that moves under her.
(function () {
  const box = document.getElementById('live');
  if (!box) return;
  const refresh = async () => {
    if (box.contains(document.activeElement) && document.activeElement.tagName === 'BUTTON') return;
    try {
      const response = await fetch(box.dataset.src, {credentials: 'same-origin', headers: {'Accept': 'text/html'}});
      if (response.redirected || !response.ok) { if (response.status === 401 || response.redirected) location.reload(); return; }
      box.innerHTML = await response.text();
    } catch (e) { /* offline for a moment: the next round tries again */ }
  };
  setInterval(refresh, 2000);
})();

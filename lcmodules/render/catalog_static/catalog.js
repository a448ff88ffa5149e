/* lcmodules: filters of the course catalogue (catalog.html). */
(function () {
  var form = document.getElementById("filters");
  if (!form) { return; }
  var cards = Array.prototype.slice.call(document.querySelectorAll("[data-lc-module]"));
  var count = document.getElementById("count");
  var shownText = count.getAttribute("data-shown");
  function apply() {
    var text = form.elements.q.value.trim().toLowerCase();
    var lang = form.elements.language.value;
    var keyword = form.elements.keyword.value;
    var shown = 0;
    cards.forEach(function (card) {
      var ok = (!lang || card.getAttribute("data-language") === lang) &&
        (!keyword || card.getAttribute("data-keywords").split("|").indexOf(keyword) >= 0) &&
        (!text || card.getAttribute("data-search").indexOf(text) >= 0);
      card.hidden = !ok;
      if (ok) { shown += 1; }
    });
    count.textContent = shownText.replace("{shown}", shown).replace("{total}", cards.length);
  }
  form.hidden = false;
  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  apply();
})();

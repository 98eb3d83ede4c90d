// Progressive enhancement for the item picker: a box that filters items by code or words,
// opening the groups that still have matches. Without JavaScript every group is still usable.
const filter = document.querySelector("[data-picker-filter]");
if (filter) {
  filter.closest(".portal-picker-filter").hidden = false;
  const groups = [...document.querySelectorAll("[data-picker-group]")];
  filter.addEventListener("input", () => {
    const words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
    for (const group of groups) {
      let shown = 0;
      for (const item of group.querySelectorAll("[data-picker-item]")) {
        const text = item.textContent.toLowerCase();
        const match = words.every((w) => text.includes(w));
        item.classList.toggle("portal-picker-item--hidden", !match);
        shown += match ? 1 : 0;
      }
      group.hidden = words.length > 0 && shown === 0;
      if (words.length > 0 && shown > 0) group.open = true;
    }
  });
}

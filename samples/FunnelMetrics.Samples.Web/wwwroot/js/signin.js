// The sign-in picker: the managers are the owners of the stored clients.
const container = document.getElementById('managers');
try {
  const response = await fetch('/account/people');
  const people = await response.json();
  container.replaceChildren(...people.managers.map((owner) => {
    const button = document.createElement('button');
    button.type = 'submit';
    button.name = 'as';
    button.value = owner;
    button.dataset.testid = `as-${owner}`;
    button.textContent = owner;
    return button;
  }));
} catch (e) {
  container.textContent = `The managers could not be read: ${e.message}`;
}

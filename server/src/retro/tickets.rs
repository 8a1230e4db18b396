//! Action items become tickets in the platform repository ("action items become tickets in the
//! platform repo"): one issue per item, its link kept on the item, its state read back on demand.
//!
//! A ticket is created at most once per item: a second "Create ticket" while the first is on its
//! way is refused, and an item that has a link already keeps it. A tracker that fails loses
//! nothing: the item is unchanged and the button works again.

use wire::{ActionItem, ItemStatus, TicketAnswer};

use super::{RetroError, Retros};
use crate::incidents::Actor;
use crate::tickets::{TicketDraft, TicketError, TicketState};

fn tracker_error(e: TicketError) -> RetroError {
    RetroError::Tracker(match e {
        TicketError::Refused { status, message } => format!(
            "the ticket tracker refused (HTTP {status}): {message}; check [tickets] (token, \
             repository, labels) and try again"
        ),
        TicketError::Unavailable(m) => {
            format!("the ticket tracker did not answer ({m}); nothing was lost, try again")
        }
        TicketError::BadAnswer(m) => format!(
            "the ticket tracker answered in a shape the console does not know ({m}); look in \
             the repository before trying again"
        ),
    })
}

/// Forgets the item's in-flight mark when the request ends, however it ends.
struct InFlight<'a>(&'a Retros, i64);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        if let Ok(mut set) = self.0.inner.ticketing.lock() {
            set.remove(&self.1);
        }
    }
}

impl Retros {
    fn tickets(&self) -> Result<&crate::tickets::Tickets, RetroError> {
        self.inner.tickets.as_ref().ok_or_else(|| {
            RetroError::Conflict(
                "no ticket tracker is configured ([tickets]); copy the item as Markdown instead"
                    .into(),
            )
        })
    }

    /// Opens an issue for the item and keeps its link on it.
    pub async fn create_ticket(
        &self,
        who: &Actor,
        item_id: i64,
    ) -> Result<TicketAnswer, RetroError> {
        let tickets = self.tickets()?;
        let item = self.item(item_id).await?;
        if !item.fields.ticket_url.is_empty() {
            return Err(RetroError::Conflict(format!(
                "this item has a ticket already: {}",
                item.fields.ticket_url
            )));
        }
        {
            let mut set = self
                .inner
                .ticketing
                .lock()
                .map_err(|_| RetroError::Conflict("try again".into()))?;
            if !set.insert(item_id) {
                return Err(RetroError::Conflict(
                    "a ticket for this item is being created; wait for it".into(),
                ));
            }
        }
        let _guard = InFlight(self, item_id);
        let incident = self.incident(item.incident_id).await?;
        let draft = TicketDraft {
            title: item.fields.title.clone(),
            body: body(
                &item,
                &incident.reference(),
                &incident.title,
                &self.link(incident.id),
                who,
            ),
            labels: Vec::new(),
        };
        let ticket = tickets.create(&draft).await.map_err(tracker_error)?;
        tracing::info!(item = item_id, ticket = %ticket.url, by = %who.name, "ticket created");
        // Kept on the item even if someone edited it meanwhile: the ticket exists now.
        for _ in 0..5 {
            let current = self.item(item_id).await?;
            let mut changed = current.clone();
            changed.fields.ticket_url = ticket.url.clone();
            changed.ticket_state = Some("open".into());
            changed.updated_at_ms = self.inner.incidents.now_ms();
            if let Some(saved) = self.store().update_item(&changed).await? {
                return Ok(TicketAnswer {
                    item: saved,
                    closed_elsewhere: false,
                });
            }
        }
        Err(RetroError::Conflict(format!(
            "the ticket was created ({}) but the item kept changing; paste that link into it",
            ticket.url
        )))
    }

    /// Reads the ticket's state back; a closed ticket on an open item is reported, and the
    /// console asks before marking the item done.
    pub async fn ticket_state(&self, item_id: i64) -> Result<TicketAnswer, RetroError> {
        let tickets = self.tickets()?;
        let item = self.item(item_id).await?;
        let Some(number) = tickets.number_from_url(&item.fields.ticket_url) else {
            return Err(RetroError::Invalid(format!(
                "the ticket link is not an issue of {}; its state cannot be read here",
                tickets.repository()
            )));
        };
        let state = tickets.state(number).await.map_err(tracker_error)?;
        let words = match state {
            TicketState::Open => "open",
            TicketState::Closed => "closed",
        };
        let mut item: ActionItem = item;
        if item.ticket_state.as_deref() != Some(words) {
            let mut changed = item.clone();
            changed.ticket_state = Some(words.into());
            changed.updated_at_ms = self.inner.incidents.now_ms();
            if let Some(saved) = self.store().update_item(&changed).await? {
                item = saved;
            }
        }
        Ok(TicketAnswer {
            closed_elsewhere: state == TicketState::Closed
                && item.fields.status == ItemStatus::Open,
            item,
        })
    }
}

/// The text: what closes it, who owns it by when, and the way back to the console.
fn body(item: &ActionItem, reference: &str, title: &str, link: &str, who: &Actor) -> String {
    let f = &item.fields;
    let or = |s: &str, none: &str| {
        if s.is_empty() {
            none.to_owned()
        } else {
            s.to_owned()
        }
    };
    format!(
        "**Done when:** {}\n\n**Owner:** {}  \n**Due:** {}\n\nFollow-up from the retrospective \
         of {reference} ({title}): {link}\n\nOpened from Aegis by {}.",
        or(&f.done_when, "not written yet"),
        or(&f.owner, "nobody yet"),
        or(&f.due, "not set"),
        who.name
    )
}
